#pragma once
// Where SIS loops (联锁回路), their bypasses and trips are stored: `sis_loop`, `sis_bypass`,
// `sis_trip` (migration 0023). A loop's state is derived in the query (an open trip, else an
// active bypass). Everything runs in the caller's transaction and is cut by the caller's scope;
// service::SisService holds the rules.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/sis.hpp>

namespace hazmon::storage {

class Tx;

struct SisLoopFilter {
  std::optional<std::string> company_code, state;
};

// A point of the enterprise as a loop names it.
struct SisPointRef {
  std::string quota_code, indicator_type, value_kind;
};

// A trip a trip point's readings show: the first reading 1 after the loop's last reset.
struct SisPointTrip {
  long long loop_id = 0;
  std::string quota_code;
  core::SysTime first{};
};

// Per production unit (empty: the enterprise itself): the loops, and those in service.
struct SisUnitCount {
  std::string company_code, prodcell_id;
  long long loops = 0, in_service = 0;
};

class SisStore {
 public:
  // The enterprise's name if it is active and inside the scope.
  std::optional<std::string> enterprise(Tx& tx, const model::Scope& scope,
                                        const std::string& company_code) const;
  bool hazard_of(Tx& tx, const std::string& company_code, const std::string& hazard_code) const;
  bool prodcell_of(Tx& tx, const std::string& company_code, const std::string& prodcell_id) const;
  // Whether `name` may approve a bypass of a loop of the enterprise on `day` (YYYY-MM-DD): the
  // enterprise's principal, or an active 包保责任人 valid that day of the loop's hazard source (of
  // any of the enterprise's hazard sources when the loop has none), as a commitment's committer.
  bool may_approve(Tx& tx, const std::string& company_code,
                   const std::optional<std::string>& hazard_code, const std::string& name,
                   const std::string& day) const;
  // The enterprise's active points among `codes` (those absent are not the enterprise's).
  std::vector<SisPointRef> points_of(Tx& tx, const std::string& company_code,
                                     const std::vector<std::string>& codes) const;

  std::optional<model::SisLoop> find_loop(Tx& tx, const model::Scope& scope, long long id,
                                          bool lock) const;
  std::optional<model::SisLoop> find_loop_by_tag(Tx& tx, const std::string& company_code,
                                                 const std::string& tag, bool lock) const;
  // Inserts the loop, or updates the one with its tag (id of the row returned either way).
  model::SisLoop save_loop(Tx& tx, const model::SisLoop& l, core::SysTime at, bool& created) const;
  std::vector<model::SisLoop> list_loops(Tx& tx, const model::Scope& scope,
                                         const SisLoopFilter& f) const;

  std::vector<model::SisBypass> bypasses(Tx& tx, long long loop_id) const;
  std::vector<model::SisTrip> trips(Tx& tx, long long loop_id) const;
  std::optional<model::SisBypass> find_bypass(Tx& tx, const model::Scope& scope, long long id,
                                              bool lock) const;
  std::optional<model::SisTrip> find_trip(Tx& tx, const model::Scope& scope, long long id,
                                          bool lock) const;
  // The loop's bypass not ended / trip not reset, locked.
  std::optional<model::SisBypass> open_bypass(Tx& tx, long long loop_id) const;
  std::optional<model::SisTrip> open_trip(Tx& tx, long long loop_id) const;

  model::SisBypass insert_bypass(Tx& tx, const model::SisBypass& b) const;
  void approve_bypass(Tx& tx, long long id, core::SysTime at, const std::string& by) const;
  void end_bypass(Tx& tx, long long id, core::SysTime at, const std::string& by,
                  const std::string& note) const;
  // The first start of the chain a bypass of the loop in effect from `start` continues (attack
  // 13.31): approved bypasses of the loop, each in effect until it ended (or `start` while not
  // ended), ending within `gap` of the chain's start, walked back; `start` when none. Reads those
  // within `limit` + `gap` before `start` (a longer chain is over the limit anyway). Takes the
  // loop's advisory chain lock for the transaction first: two approvals or uploads at the same
  // moment do not each miss the other.
  core::SysTime bypass_chain_start(Tx& tx, long long loop_id, core::SysTime start,
                                   std::chrono::seconds gap, std::chrono::seconds limit) const;
  model::SisTrip insert_trip(Tx& tx, const model::SisTrip& t) const;
  // cause: replaces the trip's cause when given (found out by the time of the reset).
  void reset_trip(Tx& tx, long long id, core::SysTime at, const std::string& by,
                  const std::string& note, const std::optional<std::string>& cause) const;
  void set_bypass_warning(Tx& tx, long long id, long long event) const;
  void set_trip_warning(Tx& tx, long long id, long long event) const;

  // Active bypasses expired at `now` with no warning yet (oldest first), locked, skipping rows
  // another node holds.
  std::vector<model::SisBypass> expired_unwarned(Tx& tx, core::SysTime now, int limit) const;
  // Trips not reset with no warning yet (a node stopped between the filing and the warning).
  std::vector<long long> unwarned_trips(Tx& tx, int limit) const;
  // For every active loop with a trip point and no open trip: the first reading 1 of that point
  // collected after the loop was registered and after its last reset, not before `since`.
  std::vector<SisPointTrip> point_trips(Tx& tx, core::SysTime since) const;
  // The latest value of the loop's trip point (reading_latest); nullopt without a trip point or
  // a reading.
  std::optional<double> trip_point_value(Tx& tx, long long loop_id) const;

  // Active loops per enterprise and unit, inside the scope (the coverage check).
  std::vector<SisUnitCount> unit_counts(Tx& tx, const model::Scope& scope) const;
};

}  // namespace hazmon::storage
