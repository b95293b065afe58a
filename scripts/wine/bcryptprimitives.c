/* A test-only stand-in for Windows' bcryptprimitives.dll, used when the Windows build of
 * mfa-mint runs under wine (scripts/cross). It exists only because wine 8 (Debian 12) lacks
 * bcryptprimitives.dll, whose ProcessPrng Rust's standard library imports since Rust 1.78 for
 * random numbers (HashMap keys): without it the .exe does not start. Real Windows (10 and later)
 * ships the DLL; this file is never part of a release.
 *
 * ProcessPrng fills the buffer from the system CSPRNG (Windows documents it as always returning
 * TRUE; here FALSE means wine's generator failed). RtlGenRandom (SystemFunction036 in advapi32)
 * is wine's CSPRNG entry point; it takes a ULONG length, so larger requests go in chunks. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
