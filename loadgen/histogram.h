// A latency histogram with log-linear buckets (HdrHistogram's idea): exact below 128 ns, then 128
// buckets per power of two, so any percentile is within 0.8% of the true value. Recording is one
// array increment; histograms of several threads merge by adding counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chatctl::loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(std::uint64_t nanos);
  void Merge(const LatencyHistogram& other);
  void Clear();

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  // The smallest recorded-bucket bound at or below which `percent` of the records fall (0 when
  // empty). The bound is the bucket's highest value, clipped to the largest value recorded.
  std::uint64_t Percentile(double percent) const;

  // Exposed for tests: which bucket holds a value, and the highest value a bucket holds.
  static std::size_t BucketOf(std::uint64_t value);
  static std::uint64_t BucketUpperBound(std::size_t bucket);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace chatctl::loadgen
