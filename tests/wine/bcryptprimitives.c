/* A stand-in for Windows' bcryptprimitives.dll, for Wine releases that lack it
 * (Debian 12's Wine 8.0). Rust's standard library (1.78 and later) imports ProcessPrng
 * from it for random numbers; this answers from advapi32's RtlGenRandom
 * (SystemFunction036), the generator Rust used before. Built with mingw by
 * tests/wine/prefix.sh into the test suite's own Wine prefix; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
