/*
 * autodeploy board support: the few system calls newlib-nano needs, so that printf goes to the
 * UART and malloc takes memory from the heap section of the linker script.
 */
#include <errno.h>
#include <sys/stat.h>

#include "ad_board.h"

#undef errno
extern int errno;

extern char __heap_start[];
extern char __heap_end[];

/* Prototypes, so that -Wmissing-prototypes builds stay quiet. */
void *_sbrk(ptrdiff_t increment);
int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int offset, int whence);
void _exit(int code);
int _kill(int pid, int sig);
int _getpid(void);

void *_sbrk(ptrdiff_t increment)
{
    static char *brk = __heap_start;
    if (increment < 0 || increment > __heap_end - brk)
    {
        errno = ENOMEM;
        return (void *)-1;
    }
    char *previous = brk;
    brk += increment;
    return previous;
}

int _write(int fd, const char *buf, int len)
{
    if (fd != 1 && fd != 2)
    {
        errno = EBADF;
        return -1;
    }
    ad_board_uart_write(buf, (size_t)len);
    return len;
}

int _read(int fd, char *buf, int len)
{
    if (fd != 0)
    {
        errno = EBADF;
        return -1;
    }
    if (len <= 0)
    {
        return 0;
    }
    buf[0] = (char)ad_board_uart_getc();
    return 1;
}

int _close(int fd)
{
    (void)fd;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

int _lseek(int fd, int offset, int whence)
{
    (void)fd;
    (void)offset;
    (void)whence;
    return 0;
}

void _exit(int code)
{
    ad_board_exit(code);
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}
