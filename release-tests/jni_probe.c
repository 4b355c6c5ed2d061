/* Loads the jar's JNI library for another platform (run under qemu-user by
 * release-tests/proof.sh for the other Linux architecture, and under Wine by
 * bindings/java/test.sh for windows-x86_64) and calls two entry points that need no JNIEnv:
 * proves that the library links against that platform's system libraries only, loads, and
 * runs its code.
 *   jni_probe LIBRARY EXPECTED_VERSION_NUMBER */
#include <stdio.h>
#include <stdlib.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

typedef int (*jni_int_fn)(void *env, void *cls);
typedef int (*jni_capacity_fn)(void *env, void *cls, long long handle);

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: jni_probe LIBRARY EXPECTED_VERSION_NUMBER\n");
        return 2;
    }
#ifdef _WIN32
    HMODULE lib = LoadLibraryA(argv[1]);
    if (lib == NULL) {
        fprintf(stderr, "jni_probe: LoadLibrary(%s) failed, error %lu\n", argv[1],
                (unsigned long)GetLastError());
        return 1;
    }
    /* GetProcAddress returns FARPROC; the casts through void * name the real signatures. */
    jni_int_fn version =
        (jni_int_fn)(void *)GetProcAddress(lib, "Java_io_hftipc_hftipcJNI_hftipc_1version_1number");
    jni_capacity_fn capacity = (jni_capacity_fn)(void *)GetProcAddress(
        lib, "Java_io_hftipc_hftipcJNI_hftipc_1channel_1capacity");
#else
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "jni_probe: %s\n", dlerror());
        return 1;
    }
    jni_int_fn version = (jni_int_fn)dlsym(lib, "Java_io_hftipc_hftipcJNI_hftipc_1version_1number");
    jni_capacity_fn capacity =
        (jni_capacity_fn)dlsym(lib, "Java_io_hftipc_hftipcJNI_hftipc_1channel_1capacity");
#endif
    if (version == NULL || capacity == NULL) {
        fprintf(stderr, "jni_probe: missing JNI entry points\n");
        return 1;
    }
    int v = version(NULL, NULL);
    int c = capacity(NULL, NULL, 0); /* documented: 0 for a NULL handle */
    if (v != atoi(argv[2]) || c != 0) {
        fprintf(stderr, "jni_probe: version %d (want %s), capacity(NULL) %d (want 0)\n", v, argv[2],
                c);
        return 1;
    }
    printf("jni_probe: hftipc_version_number() = %d through the JNI entry point\n", v);
    return 0;
}
