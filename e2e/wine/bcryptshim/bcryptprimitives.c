/* bcryptprimitives.dll for Wine 8.0, which lacks it: Go 1.24 and later take their random bytes
 * from its ProcessPrng (the Go runtime loads it from system32 at start and exits without it).
 * ProcessPrng is RtlGenRandom (advapi32's SystemFunction036) in a loop, since that takes a ULONG
 * count. Built by `make wine` into its build directory, never committed as a binary. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
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
