#pragma once
// One page of a list answer: the items of this page and the total the filter matches.
#include <vector>

namespace hazmon::model {

template <typename T>
struct Page {
  std::vector<T> items;
  long long total = 0;
};

}  // namespace hazmon::model
