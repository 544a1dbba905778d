// What a list use case answers with (the *_queries.cc files): a page of
// domain values written into the response message.
//
//   v1::ListRmasResponse out;
//   FillPage(page, &out, [now](const Rma& r, auto* o) { *o->add_rmas() = ToProto(r, now); });
#ifndef AFTERCARE_COMMON_READING_H_
#define AFTERCARE_COMMON_READING_H_

#include "common/paging.h"

namespace aftercare {

// Adds each item of `page` to `out` with `add(item, out)` and sets
// out->next_page_token.
template <typename T, typename Resp, typename Add>
void FillPage(const Page<T>& page, Resp* out, Add add) {
  for (const T& item : page.items) add(item, out);
  out->set_next_page_token(page.next_page_token);
}

}  // namespace aftercare

#endif  // AFTERCARE_COMMON_READING_H_
