#include "licensing-svc/activation_code.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "common/errors.h"

namespace aftercare::licensing {
namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr int kBase = 32;

int ValueOf(char c) {
  for (int i = 0; i < kBase; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

}  // namespace

char ActivationCheckSymbol(absl::string_view symbols) {
  int factor = 2;
  int sum = 0;
  for (size_t i = symbols.size(); i-- > 0;) {
    int addend = factor * ValueOf(symbols[i]);
    factor = factor == 2 ? 1 : 2;
    sum += addend / kBase + addend % kBase;
  }
  return kAlphabet[(kBase - sum % kBase) % kBase];
}

std::string NewActivationCode() {
  unsigned char bytes[15];  // 120 bits = 24 symbols of 5 bits
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();  // no entropy: never hand out codes
  std::string symbols;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      symbols.push_back(kAlphabet[(acc >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  symbols.push_back(ActivationCheckSymbol(symbols));
  std::string out;
  for (int i = 0; i < kActivationCodeSymbols; ++i) {
    if (i > 0 && i % 5 == 0) out.push_back('-');
    out.push_back(symbols[i]);
  }
  return out;
}

absl::StatusOr<std::string> NormalizeActivationCode(absl::string_view text,
                                                    absl::string_view field) {
  if (text.empty()) return InvalidField(field, "is required");
  std::string out;
  for (char c : text) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    if (ValueOf(c) < 0 || out.size() >= 64) {
      return InvalidField(field,
                          "must be 25 characters of Crockford base32 (0-9, A-Z without I, L, O, "
                          "U), optionally grouped with dashes");
    }
    out.push_back(c);
  }
  if (out.size() != kActivationCodeSymbols) {
    return InvalidField(
        field, absl::StrCat("must have 25 characters (five groups of five); it has ", out.size()));
  }
  if (ActivationCheckSymbol(absl::string_view(out).substr(0, kActivationCodeSymbols - 1)) !=
      out.back()) {
    return InvalidField(field,
                        "has a typo: its check character does not match; please re-enter the code");
  }
  return out;
}

std::string ActivationCodeHash(absl::string_view canonical) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

}  // namespace aftercare::licensing
