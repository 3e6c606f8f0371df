// libFuzzer target: the roster CSV reader (service::read_roster_csv, src/service/roster_csv.cpp)
// and the reconciliation of what it read against a fixed master list (normalised names, UTF-8
// bigram similarity). The first byte picks the attachment (1–4, its two low bits) and whether the
// rows are reconciled (bit 2; reconciliation allocates per character bigram, slow under ASan, so
// it runs on half the inputs and on at most 8 rows); the rest is the CSV file.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include <hazmon/core/error.hpp>
#include <hazmon/service/roster.hpp>

using namespace hazmon;

namespace {
const std::vector<service::RosterRow>& master() {
  static const std::vector<service::RosterRow> rows = [] {
    std::istringstream in(
        "seq,region,enterprise,batch\n"
        "1,太原市,中国航油集团山西石油有限公司,二期企业\n"
        "2,太原市,中国航空油料有限责任公司山西分公司,二期企业\n"
        "3,太原市,太原钢铁（集团）比欧西气体有限公司,二期企业\n"
        "4,晋中市,\"灵石中煤化工有限责任公司（焦化厂）\",一期企业\n"
        "5,大同市,山西天然气有限公司大同液化分公司,二期企业\n"
        "6,朔州市,山西中煤平朔能源化工有限公司,二期企业\n");
    return service::read_roster_csv(in, "master.csv", 1);
  }();
  return rows;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int attachment = 1 + data[0] % 4;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  try {
    auto rows = service::read_roster_csv(in, "fuzz.csv", attachment);
    for (const auto& r : rows)
      if (r.attachment != attachment) std::abort();
    if (!(data[0] & 4)) return 0;
    if (rows.size() > 8) rows.resize(8);
    auto matches = service::reconcile(master(), rows);
    if (matches.size() != rows.size()) std::abort();
    // The fuzzed rows as the master list, too: their names go through normalisation there.
    (void)service::reconcile(rows, master());
    for (const auto& r : rows) {
      double s = service::name_similarity(service::normalise_enterprise_name(r.name), r.region);
      if (!(s >= 0.0 && s <= 1.0)) std::abort();
    }
  } catch (const core::Error&) {
    // a malformed file, refused with its line number
  }
  return 0;
}
