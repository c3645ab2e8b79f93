// The load generator's latency histogram (loadgen/histogram.h): bucket bounds, percentiles of a
// known distribution, and merging. Not its speed: that shows in bench/ runs.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include "loadgen/histogram.h"

using chatctl::loadgen::LatencyHistogram;

TEST_CASE("histogram buckets are exact below 128 and within 1/128 above", "[histogram]") {
  for (std::uint64_t v = 0; v < 128; ++v) {
    CHECK(LatencyHistogram::BucketUpperBound(LatencyHistogram::BucketOf(v)) == v);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t v = rng() >> (rng() % 64);
    std::size_t bucket = LatencyHistogram::BucketOf(v);
    std::uint64_t upper = LatencyHistogram::BucketUpperBound(bucket);
    INFO(v);
    REQUIRE(upper >= v);
    REQUIRE(static_cast<double>(upper - v) <= static_cast<double>(v) / 128.0);
    // The bucket below ends below v: buckets are contiguous and ordered.
    if (bucket > 0) REQUIRE(LatencyHistogram::BucketUpperBound(bucket - 1) < v);
  }
  CHECK(LatencyHistogram::BucketUpperBound(LatencyHistogram::BucketOf(UINT64_MAX)) == UINT64_MAX);
}

TEST_CASE("histogram percentiles match a known distribution", "[histogram]") {
  LatencyHistogram h;
  CHECK(h.Percentile(99) == 0);
  for (std::uint64_t us = 1; us <= 1000; ++us) h.Record(us * 1000);  // 1 µs .. 1 ms, once each
  CHECK(h.count() == 1000);
  CHECK(h.min() == 1000);
  CHECK(h.max() == 1000000);
  CHECK(h.Percentile(50) == Approx(500000).epsilon(0.008));
  CHECK(h.Percentile(99) == Approx(990000).epsilon(0.008));
  CHECK(h.Percentile(99.9) == Approx(999000).epsilon(0.008));
  CHECK(h.Percentile(100) == 1000000);
  CHECK(h.Percentile(0) == Approx(1000).epsilon(0.008));
}

TEST_CASE("merged histograms equal one histogram of everything", "[histogram]") {
  LatencyHistogram a, b, all;
  for (std::uint64_t v = 1; v < 5000; v += 3) {
    (v % 2 ? a : b).Record(v * 97);
    all.Record(v * 97);
  }
  a.Merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.min() == all.min());
  CHECK(a.max() == all.max());
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9}) CHECK(a.Percentile(p) == all.Percentile(p));
  a.Clear();
  CHECK(a.count() == 0);
  CHECK(a.Percentile(50) == 0);
}
