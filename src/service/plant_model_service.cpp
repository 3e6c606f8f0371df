#include <hazmon/service/plant_model_service.hpp>

#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service {

namespace {
using core::Errc;
using core::Error;

void require_person(const model::Principal& who) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "plant models are read by people, not machine credentials");
}

void require_writer(const model::Principal& who) {
  if (!model::can_write_registry(who.role))
    throw Error(Errc::forbidden,
                "plant models are uploaded and deleted by the enterprise's users and the "
                "registry's writers");
}

void check_name(const std::string& name) {
  std::vector<core::FieldError> errors;
  if (name.empty() || name.size() > model::kMaxPlantModelName * 3)
    errors.push_back({"/name", "1 to 100 characters"});
  std::size_t chars = 0;
  for (unsigned char ch : name) {
    if ((ch & 0xc0) != 0x80) ++chars;
    if (ch < 0x20 || ch == 0x7f) {
      errors.push_back({"/name", "no control characters"});
      break;
    }
  }
  if (errors.empty() && chars > model::kMaxPlantModelName)
    errors.push_back({"/name", "1 to 100 characters"});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the model's name is not valid", errors);
}
}  // namespace

PlantModelService::PlantModelService(storage::Database& db, const core::Clock& clock)
    : db_(db), clock_(clock) {}

model::PlantModel PlantModelService::upload(const model::Principal& who,
                                            const std::string& company_code,
                                            const std::string& name, std::string_view zip) {
  require_writer(who);
  // Out of scope is absent (ADR 0007), before anything about the body is said.
  if (!db_.in_tx([&](storage::Tx& tx) {
        return store_.enterprise_in_scope(tx, who.scope, company_code, false).has_value();
      }))
    throw Error(Errc::not_found, "no such enterprise");
  check_name(name);
  auto archive = read_plant_archive(zip);  // throws 422 before anything is written

  model::PlantModel m;
  m.company_code = company_code;
  m.name = name;
  m.uploaded_by = who.name;
  m.uploaded_at = clock_.now();
  m.archive_bytes = static_cast<long long>(zip.size());
  m.size_bytes = static_cast<long long>(archive.total_bytes);
  m.file_count = static_cast<int>(archive.files.size());
  m.root_path = archive.root_path;
  m.bounding = archive.bounding;
  m.longitude = archive.longitude;
  m.latitude = archive.latitude;
  auto id = db_.in_tx([&](storage::Tx& tx) {
    // The enterprise's row locked: two uploads at once count the models one after the other.
    if (!store_.enterprise_in_scope(tx, who.scope, company_code, true))
      throw Error(Errc::not_found, "no such enterprise");
    if (static_cast<std::size_t>(store_.count(tx, company_code)) >=
        model::kMaxPlantModelsPerEnterprise)
      throw Error(Errc::conflict, "an enterprise keeps at most " +
                                      std::to_string(model::kMaxPlantModelsPerEnterprise) +
                                      " plant models: delete one first");
    auto id = store_.insert(tx, m);
    for (const auto& [path, bytes] : archive.files)
      store_.add_file(tx, id, path, *model::plant_model_content_type(path), bytes);
    return id;
  });
  core::logger(core::LogModule::service)
      ->info("plant model uploaded: company_code={} model_id={} files={} bytes={} by={}",
             company_code, id, m.file_count, m.size_bytes, who.name);
  return get(who, id);
}

std::vector<model::PlantModel> PlantModelService::list(const model::Principal& who,
                                                       const std::string& company_code) {
  require_person(who);
  return db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise_in_scope(tx, who.scope, company_code, false))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list(tx, who.scope, company_code);
  });
}

model::PlantModel PlantModelService::get(const model::Principal& who, long long id) {
  require_person(who);
  auto m = db_.in_tx([&](storage::Tx& tx) { return store_.find(tx, who.scope, id); });
  if (!m) throw Error(Errc::not_found, "no such plant model");
  return *m;
}

model::PlantModelFile PlantModelService::file(const model::Principal& who, long long id,
                                              const std::string& path) {
  require_person(who);
  auto f = db_.in_tx([&](storage::Tx& tx) { return store_.file(tx, who.scope, id, path); });
  if (!f) throw Error(Errc::not_found, "no such file");
  return std::move(*f);
}

void PlantModelService::remove(const model::Principal& who, long long id) {
  require_writer(who);
  db_.in_tx([&](storage::Tx& tx) {
    if (!store_.find(tx, who.scope, id) || !store_.remove(tx, id))
      throw Error(Errc::not_found, "no such plant model");
  });
  core::logger(core::LogModule::service)
      ->info("plant model deleted: model_id={} by={}", id, who.name);
}

}  // namespace hazmon::service
