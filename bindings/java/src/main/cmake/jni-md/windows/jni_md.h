/*
 * jni_md.h for Windows x86-64 (LLP64), for cross-building the JNI library with mingw-w64
 * against the build machine's jni.h (bindings/java/CMakeLists.txt, HFTIPC_JNI_INCLUDE): no
 * Windows JDK is needed. jni.h takes only these definitions from it, and they are what the
 * Windows JDK's own jni_md.h says: exported entry points, the stdcall convention (the only one
 * on x86-64, where the keyword changes nothing), a 32-bit jint (long is 32 bits on Windows) and
 * a 64-bit jlong.
 */
#ifndef HFTIPC_JNI_MD_WINDOWS_H
#define HFTIPC_JNI_MD_WINDOWS_H

#ifndef JNIEXPORT
#define JNIEXPORT __declspec(dllexport)
#endif
#define JNIIMPORT __declspec(dllimport)
#define JNICALL   __stdcall

typedef long jint;
typedef __int64 jlong;
typedef signed char jbyte;

#endif
