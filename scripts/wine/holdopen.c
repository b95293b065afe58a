/* A test-only Windows program, built with mingw by scripts/cross and run under wine by the
 * Windows behaviour suite: holds a file open the way the AWS CLI, an editor or a sync client
 * does (reading, sharing read and write but not delete), so replacing that file fails with a
 * sharing violation until it lets go.
 *
 *   holdopen PATH MILLISECONDS   opens PATH, prints "held" on stdout, waits, closes, exit 0
 * A file that cannot be opened: a message on stderr, exit 2. */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

int wmain(int argc, WCHAR **argv)
{
    if (argc != 3) {
        fputs("usage: holdopen PATH MILLISECONDS\n", stderr);
        return 2;
    }
    HANDLE file = CreateFileW(argv[1], GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "holdopen: cannot open the file (error %lu)\n", GetLastError());
        return 2;
    }
    fputs("held\n", stdout);
    fflush(stdout);
    Sleep((DWORD)_wtoi(argv[2]));
    CloseHandle(file);
    return 0;
}
