/* A test-only reader of the Windows Credential Manager, built with mingw by scripts/cross and run
 * under wine by the Windows behaviour suite (tests/support): an independent check of what the
 * Windows build of mfa-mint stored, as secret-tool is for the Linux Secret Service.
 *
 *   credread TARGET     prints the generic credential TARGET's secret (UTF-16LE blob, printed
 *                       as UTF-8, no newline); exit 1 when there is no such credential
 *   credread --list PATTERN
 *                       prints the target names matching PATTERN (CredEnumerate's filter, e.g.
 *                       "*.mfa-mint"), one a line; exit 0 also when none matches
 * Any other failure: a message on stderr, exit 2. */
#include <windows.h>
#include <wincred.h>
#include <stdio.h>
#include <fcntl.h>
#include <io.h>

static int print_utf8(const WCHAR *text, int chars)
{
    int bytes = WideCharToMultiByte(CP_UTF8, 0, text, chars, NULL, 0, NULL, NULL);
    char *out = HeapAlloc(GetProcessHeap(), 0, bytes > 0 ? bytes : 1);
    if (!out)
        return 0;
    WideCharToMultiByte(CP_UTF8, 0, text, chars, out, bytes, NULL, NULL);
    fwrite(out, 1, bytes, stdout);
    SecureZeroMemory(out, bytes);
    HeapFree(GetProcessHeap(), 0, out);
    return 1;
}

int wmain(int argc, WCHAR **argv)
{
    /* Bytes as they are: no CRLF translation of the output. */
    _setmode(_fileno(stdout), _O_BINARY);
    if (argc == 3 && lstrcmpW(argv[1], L"--list") == 0) {
        DWORD count = 0;
        PCREDENTIALW *creds = NULL;
        if (!CredEnumerateW(argv[2], 0, &count, &creds)) {
            if (GetLastError() == ERROR_NOT_FOUND)
                return 0;
            fprintf(stderr, "credread: CredEnumerateW failed: error %lu\n", GetLastError());
            return 2;
        }
        for (DWORD i = 0; i < count; i++) {
            print_utf8(creds[i]->TargetName, lstrlenW(creds[i]->TargetName));
            fputc('\n', stdout);
        }
        CredFree(creds);
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: credread TARGET | credread --list PATTERN\n");
        return 2;
    }
    PCREDENTIALW cred = NULL;
    if (!CredReadW(argv[1], CRED_TYPE_GENERIC, 0, &cred)) {
        if (GetLastError() == ERROR_NOT_FOUND)
            return 1;
        fprintf(stderr, "credread: CredReadW failed: error %lu\n", GetLastError());
        return 2;
    }
    if (cred->CredentialBlobSize % 2 != 0) {
        fprintf(stderr, "credread: the secret is not UTF-16 (odd length)\n");
        CredFree(cred);
        return 2;
    }
    int ok = print_utf8((const WCHAR *)cred->CredentialBlob, cred->CredentialBlobSize / 2);
    CredFree(cred);
    return ok ? 0 : 2;
}
