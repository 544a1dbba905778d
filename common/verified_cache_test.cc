#include "common/verified_cache.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace aftercare {
namespace {

TEST(VerifiedCacheTest, FindsWhatWasInsertedAndCountsHits) {
  VerifiedCache<int> cache(64);
  EXPECT_EQ(cache.Find("a.b.c"), nullptr);
  cache.Insert("a.b.c", std::make_shared<const int>(7));
  std::shared_ptr<const int> hit = cache.Find("a.b.c");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(*hit, 7);
  EXPECT_EQ(cache.Find("a.b.d"), nullptr);  // the exact text only
  EXPECT_EQ(cache.hits(), 1);
  cache.Erase("a.b.c");
  EXPECT_EQ(cache.Find("a.b.c"), nullptr);
}

TEST(VerifiedCacheTest, StaysWithinItsCapacity) {
  VerifiedCache<int> cache(64);  // 16 shards of 4
  for (int i = 0; i < 10000; ++i) cache.Insert(absl::StrCat("token-", i), std::make_shared<const int>(i));
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 0u);
  // Replacing an entry of a full shard does not empty the shard.
  VerifiedCache<int> one(1);  // one entry per shard
  one.Insert("x", std::make_shared<const int>(1));
  one.Insert("x", std::make_shared<const int>(2));
  ASSERT_NE(one.Find("x"), nullptr);
  EXPECT_EQ(*one.Find("x"), 2);
}

TEST(VerifiedCacheTest, InsertIfChecksUnderTheLockAndClearEmptiesEverything) {
  VerifiedCache<int> cache(64);
  EXPECT_FALSE(cache.InsertIf("stale", std::make_shared<const int>(1), [] { return false; }));
  EXPECT_EQ(cache.Find("stale"), nullptr);
  EXPECT_TRUE(cache.InsertIf("fresh", std::make_shared<const int>(2), [] { return true; }));
  for (int i = 0; i < 20; ++i) cache.Insert(absl::StrCat("k", i), std::make_shared<const int>(i));
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Find("fresh"), nullptr);
}

}  // namespace
}  // namespace aftercare
