#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chatctl::loadgen {
namespace {

constexpr unsigned kSubBits = 7;
constexpr std::uint64_t kSubBuckets = 1u << kSubBits;  // per power of two, and the exact range
// Values with their top bit at 2^kSubBits .. 2^63: one row of kSubBuckets each.
constexpr std::size_t kBuckets = kSubBuckets + (64 - kSubBits) * kSubBuckets;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

std::size_t LatencyHistogram::BucketOf(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  unsigned top = 63u - static_cast<unsigned>(std::countl_zero(value));  // >= kSubBits
  unsigned shift = top - kSubBits;
  std::uint64_t sub = (value >> shift) - kSubBuckets;  // the kSubBits bits below the top one
  return static_cast<std::size_t>(kSubBuckets + shift * kSubBuckets + sub);
}

std::uint64_t LatencyHistogram::BucketUpperBound(std::size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  std::uint64_t row = (bucket - kSubBuckets) / kSubBuckets;
  std::uint64_t sub = (bucket - kSubBuckets) % kSubBuckets;
  std::uint64_t lowest = (kSubBuckets + sub) << row;
  return lowest + ((std::uint64_t{1} << row) - 1);
}

void LatencyHistogram::Record(std::uint64_t nanos) {
  ++counts_[BucketOf(nanos)];
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::Clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

std::uint64_t LatencyHistogram::Percentile(double percent) const {
  if (count_ == 0) return 0;
  double wanted = std::ceil(std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(count_));
  auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(BucketUpperBound(i), max_);
  }
  return max_;
}

}  // namespace chatctl::loadgen
