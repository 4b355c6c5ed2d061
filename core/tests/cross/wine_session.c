/*
 * Keeps a Wine session alive for the length of a test run (scripts/cross.sh windows starts it,
 * with its output going nowhere, right after the prefix is created, and ends it at the end).
 *
 * Why: the first Windows program of a Wine session also starts Wine's own service processes
 * (services.exe, winedevice.exe, ...), and they inherit that program's standard output and
 * error. When that program is a test whose output ctest reads from a pipe, ctest waits for the
 * pipe to close, that is, until those services end, which they do only when the last program
 * of the session does: a two-second test then "times out" because another test runs on. With
 * this program holding the session open, the services belong to it, and no test's pipe.
 */
#include <windows.h>

int main(void)
{
    for (;;)
        Sleep(INFINITE);
}
