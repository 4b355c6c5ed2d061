# Configures and builds the JNI library for Maven (pom.xml, execution cmake-jni), printing
# nothing when it works: `mvn -q` is asked to be quiet, and exec-maven-plugin would otherwise pass
# CMake's status lines and the build tool's progress (with terminal colour codes) to stdout. When
# a step fails, its whole output is printed to stderr, so the CMake or compiler errors are there.
#
#   cmake -DSOURCE_DIR=bindings/java -DBUILD_DIR=DIR -DJAVA_HOME=JDK \
#         -DHFTIPC_JAVA_OUT=DIR -DHFTIPC_NATIVE_OUT=DIR -P build-jni.cmake
foreach(var SOURCE_DIR BUILD_DIR JAVA_HOME HFTIPC_JAVA_OUT HFTIPC_NATIVE_OUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "build-jni.cmake: pass -D${var}=...")
  endif()
endforeach()
# No colour codes in the captured output (progress lines, compiler diagnostics).
set(ENV{CLICOLOR} 0)
set(ENV{CLICOLOR_FORCE} 0)

# run(WHAT COMMAND...): run a command with its output captured; on failure print it and stop.
function(run what)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(NOTICE "${out}")
    message(FATAL_ERROR "${what} of the JNI library failed (${rc}): ${cmd}\nIts output is above.")
  endif()
endfunction()

run(configuring "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${BUILD_DIR}"
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_RULE_MESSAGES=OFF -DCMAKE_COLOR_DIAGNOSTICS=OFF
    "-DJAVA_HOME=${JAVA_HOME}" "-DHFTIPC_JAVA_OUT=${HFTIPC_JAVA_OUT}"
    "-DHFTIPC_NATIVE_OUT=${HFTIPC_NATIVE_OUT}")
run(building "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --parallel 2)
