# What `cmake --install` lays out, in the GNU directories (so --prefix and
# DESTDIR work as usual):
#
#   bin/digest
#   share/digest/templates/          the default template directory
#   share/digest/examples/           digest.ini and demo/: the sample,
#                                    ready to copy to /etc/digest/
#   share/digest/examples/systemd/   digest.service, digest.timer,
#                                    digest-serve.service
#   share/digest/examples/cron.d/    digest
#   share/man/man1/digest.1, share/man/man5/digest.ini.5
#
# Nothing goes to /etc or to systemd's unit directories: the operator
# copies what they want (README.md, "Installing"), so an install never
# overwrites a configuration or starts a service on its own.
set(DIGEST_EXAMPLES ${CMAKE_INSTALL_DATADIR}/digest/examples)
set(DIGEST_DIST_OUT ${PROJECT_BINARY_DIR}/dist)

install(TARGETS digest RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/
  DESTINATION ${CMAKE_INSTALL_DATADIR}/digest/templates)
install(FILES ${PROJECT_SOURCE_DIR}/man/digest.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/man/digest.ini.5
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/demo
  DESTINATION ${DIGEST_EXAMPLES})

# The sample configuration, made fit for /etc/digest/: the demo's copy
# keeps its state in the source tree's var/ and reads the source tree's
# templates, which an installed program must do neither.  Each key below
# must still be in config/digest.ini; configuring fails if one is gone,
# rather than installing a sample that points into a source tree.
file(READ ${PROJECT_SOURCE_DIR}/config/digest.ini digest_sample)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/config/digest.ini)
function(digest_sample_key key line)
  string(REGEX REPLACE "\n${key} = [^\n]*" "\n${line}" replaced
    "${digest_sample}")
  if(replaced STREQUAL digest_sample)
    message(FATAL_ERROR "config/digest.ini has no \"${key} = \" line; "
      "update cmake/install.cmake, which rewrites it for the installed "
      "sample")
  endif()
  set(digest_sample "${replaced}" PARENT_SCOPE)
endfunction()
digest_sample_key(templates
  "; templates = ${DIGEST_DATADIR}/templates (the default)")
digest_sample_key(state "state = /var/lib/digest/digest.sqlite")
digest_sample_key(outbox "outbox = /var/lib/digest/outbox")
digest_sample_key(password_file
  "password_file = /etc/digest/delta-password")
string(PREPEND digest_sample
  "; Installed by `cmake --install`: copy this file and demo/ to\n"
  "; /etc/digest/.  State and Maildir live in /var/lib/digest, the\n"
  "; StateDirectory of the systemd unit in systemd/.\n;\n")
file(WRITE ${DIGEST_DIST_OUT}/digest.ini.new "${digest_sample}")
configure_file(${DIGEST_DIST_OUT}/digest.ini.new
  ${DIGEST_DIST_OUT}/digest.ini COPYONLY)
install(FILES ${DIGEST_DIST_OUT}/digest.ini DESTINATION ${DIGEST_EXAMPLES})

# The service and the cron file name the installed binary.
configure_file(${PROJECT_SOURCE_DIR}/dist/systemd/digest.service.in
  ${DIGEST_DIST_OUT}/systemd/digest.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/dist/systemd/digest-serve.service.in
  ${DIGEST_DIST_OUT}/systemd/digest-serve.service @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/dist/cron.d/digest.in
  ${DIGEST_DIST_OUT}/cron.d/digest @ONLY)
install(FILES ${DIGEST_DIST_OUT}/systemd/digest.service
  ${DIGEST_DIST_OUT}/systemd/digest-serve.service
  ${PROJECT_SOURCE_DIR}/dist/systemd/digest.timer
  DESTINATION ${DIGEST_EXAMPLES}/systemd)
install(FILES ${DIGEST_DIST_OUT}/cron.d/digest
  DESTINATION ${DIGEST_EXAMPLES}/cron.d)
