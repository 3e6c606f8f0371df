#include <hazmon/storage/federation_store.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>

namespace hazmon::storage {

namespace {
// pg_try_advisory_xact_lock key of the forwarder's claim ("fedout" in ASCII).
constexpr const char* kClaimLock = "112893211457396";
}  // namespace

std::vector<OutboxRow> FederationStore::claim(Tx& tx, int limit) const {
  if (!tx.one<bool>("SELECT pg_try_advisory_xact_lock($1::bigint)", {kClaimLock}).value_or(false))
    return {};
  std::vector<OutboxRow> out;
  for (const auto& r :
       tx.query("SELECT id, path, company_code, data_id, body, attempts FROM federation_outbox "
                "WHERE status = 'queued' ORDER BY id LIMIT $1",
                {std::to_string(limit)})) {
    OutboxRow o;
    o.id = r.get<long long>("id");
    o.path = r.get<std::string>("path");
    o.company_code = r.get<std::string>("company_code");
    o.data_id = r.get<std::string>("data_id");
    o.body = r.get<std::string>("body");
    o.attempts = r.get<int>("attempts");
    out.push_back(std::move(o));
  }
  return out;
}

void FederationStore::enqueue(Tx& tx, const std::string& path, const std::string& company_code,
                              const std::string& data_id, const std::string& body) const {
  tx.exec(
      "INSERT INTO federation_outbox (path, company_code, data_id, body) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (path, company_code, data_id) DO NOTHING",
      {path, company_code, data_id, body});
}

void FederationStore::mark_sent(Tx& tx, const std::vector<long long>& ids) const {
  if (ids.empty()) return;
  std::string arr = "{";
  for (auto id : ids) arr += (arr.size() > 1 ? "," : "") + std::to_string(id);
  arr += "}";
  tx.exec(
      "UPDATE federation_outbox SET status = 'sent', sent_at = now() "
      "WHERE id = ANY($1::bigint[]) AND status = 'queued'",
      {arr});
}

void FederationStore::record_failure(Tx& tx, long long id, const std::string& error) const {
  tx.exec(
      "UPDATE federation_outbox SET attempts = attempts + 1, last_error = left($2, 500) "
      "WHERE id = $1",
      {std::to_string(id), error});
}

void FederationStore::park(Tx& tx, long long id, int http_status, const std::string& problem_code,
                           const std::string& detail) const {
  tx.exec(
      "UPDATE federation_outbox SET status = 'parked', parked_at = now(), attempts = attempts + 1, "
      "http_status = $2, problem_code = $3, last_error = left($4, 500) "
      "WHERE id = $1 AND status = 'queued'",
      {std::to_string(id), std::to_string(http_status), problem_code, detail});
}

long long FederationStore::requeue_parked(Tx& tx, std::optional<long long> id) const {
  Params p;
  std::string sql =
      "UPDATE federation_outbox SET status = 'queued', parked_at = NULL, attempts = 0 "
      "WHERE status = 'parked'";
  if (id) sql += " AND id = " + ph(p, std::to_string(*id));
  return tx.exec_count(sql, p);
}

std::vector<ParkedRow> FederationStore::parked(Tx& tx, int limit, long long after_id) const {
  std::vector<ParkedRow> out;
  for (const auto& r : tx.query(
           "SELECT id, path, company_code, data_id, attempts, http_status, "
           "coalesce(problem_code, '') AS problem_code, coalesce(last_error, '') AS last_error, "
           "queued_at, parked_at FROM federation_outbox WHERE status = 'parked' AND id > $2 "
           "ORDER BY id LIMIT $1",
           {std::to_string(limit), std::to_string(after_id)})) {
    ParkedRow p;
    p.id = r.get<long long>("id");
    p.path = r.get<std::string>("path");
    p.company_code = r.get<std::string>("company_code");
    p.data_id = r.get<std::string>("data_id");
    p.attempts = r.get<int>("attempts");
    p.http_status = r.get<std::optional<int>>("http_status");
    p.problem_code = r.get<std::string>("problem_code");
    p.last_error = r.get<std::string>("last_error");
    p.queued_at = r.get<core::SysTime>("queued_at");
    p.parked_at = r.get<core::SysTime>("parked_at");
    out.push_back(std::move(p));
  }
  return out;
}

OutboxCounts FederationStore::counts(Tx& tx) const {
  OutboxCounts c;
  auto r = tx.query(
      "SELECT (SELECT count(*) FROM federation_outbox WHERE status = 'queued') AS queued, "
      "(SELECT count(*) FROM federation_outbox WHERE status = 'parked') AS parked, "
      "(SELECT queued_at FROM federation_outbox WHERE status = 'queued' ORDER BY id LIMIT 1) "
      "AS oldest");
  const auto row = r[0];
  c.queued = row.get<long long>("queued");
  c.parked = row.get<long long>("parked");
  c.oldest_queued = row.get<std::optional<core::SysTime>>("oldest");
  return c;
}

long long FederationStore::purge_sent(Tx& tx, core::SysTime before) const {
  return tx.exec_count("DELETE FROM federation_outbox WHERE status = 'sent' AND sent_at < $1",
                       {format_timestamptz(before)});
}

}  // namespace hazmon::storage
