# Installation (`cmake --install`) and the Debian package (`cpack -G DEB`); docs/operations.md.
#
#   <prefix>/bin/hazmond
#   <prefix>/share/hazmon/         HAZMON_HOME: schemas/ migrations/ data/ models/ web/dist/
#                                  config/ (hazmond.prod.json, the postinst's first /etc/hazmon/hazmond.json,
#                                  and hazmond.example.json with every key)
#   <prefix>/lib/systemd/system/hazmond.service
#   <prefix>/lib/sysusers.d/hazmon.conf, <prefix>/lib/tmpfiles.d/hazmon.conf
#   <prefix>/share/doc/hazmon/     README.md, operations.md, the ADRs
#
# hazmond finds HAZMON_HOME from $HAZMON_HOME (the unit sets it), else <bindir>/../share/hazmon
# next to the binary, else the source tree it was built from. Only hazmond is installed: hazmon-sim
# registers simulated enterprises and plays fake readings into whatever server it is pointed at,
# which has no place on a production host (it runs from the build tree, docs/simulator.md); the
# video bench and eval tools are developer tools over the source tree's clips.
include(GNUInstallDirs)

set(HAZMON_INSTALL_HOME ${CMAKE_INSTALL_DATADIR}/hazmon)
set(HAZMON_INSTALL_DOCDIR ${CMAKE_INSTALL_DATADIR}/doc/hazmon)

# The dashboard is built into web/dist by scripts/setup.sh (npm run build), not by CMake: refuse
# to install a server without it rather than one whose / answers 404.
install(CODE "
  if(NOT EXISTS \"${PROJECT_SOURCE_DIR}/web/dist/index.html\")
    message(FATAL_ERROR \"web/dist/index.html is missing: build the dashboard first (scripts/setup.sh, or npm ci && npm run build in web/)\")
  endif()")

install(TARGETS hazmond RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(DIRECTORY schemas migrations data models DESTINATION ${HAZMON_INSTALL_HOME})
install(DIRECTORY web/dist DESTINATION ${HAZMON_INSTALL_HOME}/web
  PATTERN ".hazmon-build-sha256" EXCLUDE)
install(FILES deploy/hazmond.prod.json config/hazmond.example.json DESTINATION ${HAZMON_INSTALL_HOME}/config)

# systemd looks in <prefix>/lib/{systemd/system,sysusers.d,tmpfiles.d} for /usr and /usr/local.
install(FILES deploy/hazmond.sysusers.conf DESTINATION lib/sysusers.d RENAME hazmon.conf)
install(FILES deploy/hazmond.tmpfiles.conf DESTINATION lib/tmpfiles.d RENAME hazmon.conf)
# The unit names the installed binary and HAZMON_HOME: filled in at install time from the prefix
# actually used (`cmake --install --prefix`, CPack's /usr), not the one configured.
install(CODE "
  set(HAZMON_BINDIR \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  set(HAZMON_HOME \"\${CMAKE_INSTALL_PREFIX}/${HAZMON_INSTALL_HOME}\")
  set(HAZMON_DOCDIR \"\${CMAKE_INSTALL_PREFIX}/${HAZMON_INSTALL_DOCDIR}\")
  # Installs into different DESTDIRs may run side by side (ctest install_tree, package_deb).
  string(MD5 _tmp \"\$ENV{DESTDIR}|\${CMAKE_INSTALL_PREFIX}\")
  set(_unit \"${PROJECT_BINARY_DIR}/install/hazmond.service.\${_tmp}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/deploy/hazmond.service.in\" \"\${_unit}\" @ONLY)
  file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\" TYPE FILE RENAME hazmond.service
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ FILES \"\${_unit}\")
  file(REMOVE \"\${_unit}\")")

install(FILES README.md docs/operations.md docs/architecture.md docs/security.md docs/video.md docs/notify.md
  DESTINATION ${HAZMON_INSTALL_DOCDIR})
install(DIRECTORY docs/adr DESTINATION ${HAZMON_INSTALL_DOCDIR})

# ---------------------------------------------------------------- Debian package
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hazmon)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "hazmon")
set(CPACK_PACKAGE_CONTACT "hazmon maintainers <hazmon@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "hazardous-chemicals risk monitoring and early-warning server (hazmond)")
set(CPACK_PACKAGE_DESCRIPTION "hazmond is the provincial hazardous-chemicals safety-production risk monitoring and
early-warning server of Shanxi's notice 2021-247: enterprises' gateways push sensor readings over
HTTPS; it keeps the registry, stores readings in PostgreSQL, raises alarms and warning events,
notifies duty contacts by SMS and e-mail, analyses enterprise cameras (OpenCV DNN) and serves the
web dashboard.")
if(NOT HAZMON_WITH_VIDEO)  # docs/operations.md, "A server without video"
  string(REPLACE ", analyses enterprise cameras (OpenCV DNN) and serves" " and serves"
    CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
  string(REPLACE "web dashboard." "web dashboard. Built without video (HAZMON_WITH_VIDEO=OFF): no cameras."
    CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
endif()
# Install with DESTDIR and CMAKE_INSTALL_PREFIX=/usr (whatever the build's prefix), so that the
# unit filled in at install time names /usr/bin/hazmond.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://hazmon.invalid/")
# The shared libraries (OpenCV, FFmpeg, libpqxx, Boost, OpenSSL, …) from dpkg-shlibdeps; systemd
# for sysusers/tmpfiles in the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
# PostgreSQL 15 is recommended, not required: production points database.dsn_file at a managed
# server, and the server binaries are needed only for the embedded cluster (ADR 0005) of a pilot;
# the client for pg_dump backups. Chromium renders the PDF reports (with a CJK font); without it
# reports are XLSX only.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15, postgresql-client-15, chromium, fonts-wqy-microhei")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
