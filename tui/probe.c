/* SPDX-License-Identifier: MIT */
/*
 * Terminal capability probe (terminal.md 3.2): one write of a kitty
 * graphics query, XTSMGRAPHICS, CSI 16 t and DA1 queries with the tty in
 * raw mode, then replies are read until the DA1 answer arrives. Every terminal answers DA1 and answers in
 * order, so DA1 fences the others: no waiting for queries a terminal
 * ignores, and a deadline in case nothing answers at all.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "core/base/util.h"
#include "tui/probe.h"

/*
 * DA1 goes last: its answer tells us every earlier reply has arrived. The
 * kitty query asks to check (a=q) a 1x1 RGB image without storing it; a
 * terminal with the protocol answers ESC _ G i=31;OK ESC \, one without
 * ignores the APC.
 */
#define PROBE_KITTY_ID "31"
static const char probe_queries[] =
    "\033_Gi=" PROBE_KITTY_ID ",s=1,v=1,a=q,t=d,f=24;AAAA\033\\"
    "\033[?1;1;0S"  /* XTSMGRAPHICS: read the number of colour registers */
    "\033[?2;1;0S"  /* XTSMGRAPHICS: read the current sixel area */
    "\033[16t"      /* cell size in pixels */
    "\033[c";       /* DA1 */

#define PROBE_MAX_PARAMS 16
#define PROBE_BUF 4096

static void probe_why(struct term_caps *, const char *, ...) MMDA_PRINTF(2, 3);

/* Appends one reason to caps->why, "; "-separated, truncating quietly. */
static void
probe_why(struct term_caps *caps, const char *fmt, ...)
{
	size_t used = strlen(caps->why);
	va_list ap;

	if (used + 3 >= sizeof caps->why)
		return;
	if (used != 0) {
		memcpy(caps->why + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(caps->why + used, sizeof caps->why - used, fmt, ap);
	va_end(ap);
}

/* A CSI sequence split into its private marker, parameters and final byte. */
struct csi {
	char marker;    /* '?' or 0 */
	int p[PROBE_MAX_PARAMS];
	int np;
	char final;
	const char *params; /* the parameter text, for DA1 */
	size_t paramslen;
};

/*
 * Parses the CSI sequence starting at s (just after ESC [). Returns the
 * bytes used, 0 when the sequence is cut off by the end of the buffer, or -1
 * when it is not a sequence this probe can read (the caller skips a byte).
 */
static int
probe_csi(const char *s, size_t len, struct csi *c)
{
	size_t i = 0;
	long v = 0;
	int have = 0;

	memset(c, 0, sizeof *c);
	if (i < len && (s[i] == '?' || s[i] == '>' || s[i] == '=')) {
		c->marker = s[i];
		i++;
	}
	c->params = s + i;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (v < 1000000)
				v = v * 10 + (s[i] - '0');
			have = 1;
		} else if (s[i] == ';') {
			if (c->np < PROBE_MAX_PARAMS)
				c->p[c->np++] = (int)v;
			v = 0;
			have = 0;
		} else if (s[i] >= 0x40 && s[i] <= 0x7e) {
			if ((have || c->np > 0) && c->np < PROBE_MAX_PARAMS)
				c->p[c->np++] = (int)v;
			c->paramslen = (size_t)(s + i - c->params);
			c->final = s[i];
			return (int)(i + 1);
		} else
			return -1;
		if (i > 256)
			return -1;
	}
	return 0;
}

static void
probe_da1(const struct csi *c, struct term_caps *caps)
{
	size_t n = c->paramslen;
	int i;

	if (n >= sizeof caps->da1)
		n = sizeof caps->da1 - 1;
	memcpy(caps->da1, c->params, n);
	caps->da1[n] = '\0';
	/* The first parameter is the device class (62, 63, 64...), not a feature. */
	caps->sixel = 0;
	for (i = 1; i < c->np; i++) {
		if (c->p[i] == 4)
			caps->sixel = 1;
	}
	if (caps->sixel)
		probe_why(caps, "DA1 lists 4 (sixel)");
	else
		probe_why(caps, "DA1 ?%s has no 4: no sixel", caps->da1);
}

static void
probe_xtsm(const struct csi *c, struct term_caps *caps)
{
	if (c->np >= 2 && c->p[1] != 0) {
		probe_why(caps, "XTSMGRAPHICS %s: status %d (unknown)",
		    c->p[0] == 1 ? "colours" : "area", c->p[1]);
		return;
	}
	if (c->p[0] == 1 && c->np >= 3 && c->p[2] > 0) {
		caps->colors = c->p[2];
		probe_why(caps, "XTSMGRAPHICS: %d colour registers", caps->colors);
	} else if (c->p[0] == 2 && c->np >= 4 && c->p[2] > 0 && c->p[3] > 0) {
		caps->max_w = c->p[2];
		caps->max_h = c->p[3];
		probe_why(caps, "XTSMGRAPHICS: sixel area %dx%d", caps->max_w, caps->max_h);
	}
}

/*
 * The kitty graphics reply starting at s (just after ESC _ G): "i=31;OK" or
 * "i=31;ERROR TEXT" up to ESC \. Returns the bytes used, 0 when cut off by
 * the end of the buffer, -1 when it is not that reply.
 */
static int
probe_kitty(const char *s, size_t len, struct term_caps *caps)
{
	static const char id[] = "i=" PROBE_KITTY_ID;
	size_t i, semi = 0;

	for (i = 0; i + 1 < len && !(s[i] == '\033' && s[i + 1] == '\\'); i++) {
		if (s[i] == ';' && semi == 0)
			semi = i;
		if (i > 256)
			return -1;
	}
	if (i + 1 >= len)
		return 0;
	/* The keys echo the query's id (and may carry others: a placement id). */
	int ours = 0;
	for (size_t k = 0; semi > 0 && k + sizeof id - 1 <= semi; k++)
		if ((k == 0 || s[k - 1] == ',') && memcmp(s + k, id, sizeof id - 1) == 0 &&
		    (k + sizeof id - 1 == semi || s[k + sizeof id - 1] == ','))
			ours = 1;
	if (!ours)
		return -1;
	if (i - semi - 1 == 2 && memcmp(s + semi + 1, "OK", 2) == 0) {
		caps->kitty = 1;
		probe_why(caps, "kitty graphics query answered OK");
	} else {
		/* The terminal's error text is shown by mmda probe: printable ASCII only. */
		char msg[41];
		size_t m = 0;
		for (size_t k = semi + 1; k < i && m + 1 < sizeof msg; k++)
			msg[m++] = s[k] >= 0x20 && s[k] < 0x7f ? s[k] : '?';
		msg[m] = '\0';
		caps->kitty = 0;
		probe_why(caps, "kitty graphics query answered %s: no kitty graphics", msg);
	}
	return (int)(i + 2);
}

int
probe_parse(const char *reply, size_t len, struct term_caps *caps)
{
	struct csi c;
	size_t i = 0;
	int n, da1 = 0;

	while (i + 1 < len) {
		if (i + 2 < len && reply[i] == '\033' && reply[i + 1] == '_' && reply[i + 2] == 'G') {
			n = probe_kitty(reply + i + 3, len - i - 3, caps);
			if (n == 0)
				break;
			i += n < 0 ? 1 : 3 + (size_t)n;
			continue;
		}
		if (reply[i] != '\033' || reply[i + 1] != '[') {
			i++;
			continue;
		}
		n = probe_csi(reply + i + 2, len - i - 2, &c);
		if (n == 0)
			break;
		if (n < 0) {
			i++;
			continue;
		}
		i += 2 + (size_t)n;
		if (c.marker == '?' && c.final == 'c' && c.np >= 1) {
			probe_da1(&c, caps);
			da1 = 1;
		} else if (c.marker == '?' && c.final == 'S' && c.np >= 2 &&
		    (c.p[0] == 1 || c.p[0] == 2))
			probe_xtsm(&c, caps);
		else if (c.marker == 0 && c.final == 't' && c.np >= 3 && c.p[0] == 6 &&
		    c.p[1] > 0 && c.p[2] > 0) {
			caps->cell_h = c.p[1];
			caps->cell_w = c.p[2];
			probe_why(caps, "CSI 16 t: cell %dx%d px", caps->cell_w, caps->cell_h);
		}
	}
	return da1;
}

/* tmux's version from TERM_PROGRAM_VERSION ("3.3a" -> 303), 0 if unknown. */
static int
probe_tmux_version(const char **text)
{
	const char *prog = getenv("TERM_PROGRAM"), *ver = getenv("TERM_PROGRAM_VERSION");
	int major = 0, minor = 0;

	*text = "(version unknown)";
	if (prog == NULL || strcmp(prog, "tmux") != 0 || ver == NULL)
		return 0;
	if (sscanf(ver, "%d.%d", &major, &minor) < 1 || major < 0 || minor < 0)
		return 0;
	*text = ver;
	return major * 100 + minor;
}

static void
probe_env(struct term_caps *caps)
{
	const char *ct = getenv("COLORTERM"), *tmux = getenv("TMUX"), *sty = getenv("STY");

	if (ct != NULL && (strcmp(ct, "truecolor") == 0 || strcmp(ct, "24bit") == 0)) {
		caps->truecolor = 1;
		probe_why(caps, "COLORTERM=%s: truecolor", ct);
	}
	caps->in_tmux = tmux != NULL && *tmux != '\0';
	caps->in_screen = sty != NULL && *sty != '\0';
}

/* Multiplexers answer DA1 themselves and swallow sixel (terminal.md 2.6). */
static void
probe_policy(struct term_caps *caps)
{
	const char *ver;
	int v;

	if (caps->in_screen) {
		probe_why(caps, "inside GNU screen: screen answers DA1 itself, no sixel");
		caps->sixel = 0;
	}
	if (caps->in_screen || caps->in_tmux) {
		/* The multiplexer keeps its own screen: an image sent through it would
		 * need passthrough and would not move with the multiplexer's panes. */
		probe_why(caps, "inside %s: no kitty graphics (passthrough is not supported)",
		    caps->in_tmux ? "tmux" : "GNU screen");
		caps->kitty = 0;
	}
	if (caps->in_tmux) {
		v = probe_tmux_version(&ver);
		if (v >= 304)
			probe_why(caps, "inside tmux %s: sixel only if tmux was built with it",
			    ver);
		else {
			probe_why(caps, "inside tmux %s: tmux answers DA1 itself, no sixel "
			    "before 3.4", ver);
			caps->sixel = 0;
		}
	}
}

/* Cell size when CSI 16 t went unanswered (terminal.md 3.2, step 3). */
static void
probe_cells(int fd, struct term_caps *caps)
{
	struct winsize ws;
	int w, h;

	if (caps->cell_w > 0 && caps->cell_h > 0)
		return;
	memset(&ws, 0, sizeof ws);
	if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0)
		return;
	/* The current sixel area is the text area exactly (xterm: 600/100 = 6). */
	if (caps->max_w > 0 && caps->max_h > 0 && caps->max_w / ws.ws_col > 0 &&
	    caps->max_h / ws.ws_row > 0) {
		caps->cell_w = caps->max_w / ws.ws_col;
		caps->cell_h = caps->max_h / ws.ws_row;
		probe_why(caps, "cell %dx%d px from the sixel area over %dx%d cells",
		    caps->cell_w, caps->cell_h, ws.ws_col, ws.ws_row);
		return;
	}
	/* The window size may include a border: round down. */
	w = ws.ws_xpixel / ws.ws_col;
	h = ws.ws_ypixel / ws.ws_row;
	if (w <= 0 || h <= 0)
		return;
	if (caps->in_tmux && w == 16 && h == 32) {
		probe_why(caps, "ignoring tmux's placeholder 16x32 px cells");
		return;
	}
	caps->cell_w = w;
	caps->cell_h = h;
	probe_why(caps, "cell %dx%d px from the window size (%dx%d px, %dx%d cells)", w, h,
	    ws.ws_xpixel, ws.ws_ypixel, ws.ws_col, ws.ws_row);
}

static int
probe_write(int fd, const char *s, size_t len)
{
	struct pollfd pfd;
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n > 0) {
			s += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
				return -1;
		} else
			return -1;
	}
	return 0;
}

/* Reads replies into buf until DA1 is complete or the deadline passes. */
static size_t
probe_read(int fd, int timeout_ms, char *buf, size_t size)
{
	struct term_caps scratch;
	struct pollfd pfd;
	int64_t deadline = now_mono_ms() + timeout_ms, left;
	size_t len = 0;
	ssize_t n;
	int r;

	while (len < size) {
		left = deadline - now_mono_ms();
		if (left <= 0)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = read(fd, buf + len, size - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0) {
			/* Hung up, or readable with nothing to read: stop spinning. */
			break;
		}
		len += (size_t)n;
		memset(&scratch, 0, sizeof scratch);
		if (probe_parse(buf, len, &scratch))
			break;
	}
	return len;
}

int
probe_terminal(int fd, int timeout_ms, struct term_caps *caps)
{
	struct termios old, raw;
	char buf[PROBE_BUF];
	size_t len;
	int64_t t0;
	int answered;

	memset(caps, 0, sizeof *caps);
	probe_env(caps);
	if (fd < 0 || !isatty(fd)) {
		probe_why(caps, "not a terminal: no queries sent, no sixel");
		probe_policy(caps);
		return -1;
	}
	if (tcgetattr(fd, &old) != 0) {
		probe_why(caps, "cannot read the terminal settings: %s", strerror(errno));
		probe_policy(caps);
		probe_cells(fd, caps);
		return -1;
	}
	raw = old;
	/* No echo (the replies must not be printed) and no line buffering. */
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) != 0) {
		probe_why(caps, "cannot set raw mode: %s", strerror(errno));
		probe_policy(caps);
		probe_cells(fd, caps);
		return -1;
	}

	t0 = now_mono_ms();
	len = 0;
	if (probe_write(fd, probe_queries, sizeof probe_queries - 1) == 0)
		len = probe_read(fd, timeout_ms, buf, sizeof buf);
	/* TCSAFLUSH drops late or partial replies so ncurses never reads them as keys. */
	tcsetattr(fd, TCSAFLUSH, &old);

	answered = probe_parse(buf, len, caps);
	if (!answered) {
		caps->sixel = caps->kitty = 0;
		probe_why(caps, "no DA1 reply within %d ms: no sixel, no kitty graphics", timeout_ms);
	} else
		probe_why(caps, "terminal answered in %lld ms", (long long)(now_mono_ms() - t0));
	probe_policy(caps);
	probe_cells(fd, caps);
	return answered ? 0 : -1;
}

static void
probe_size(FILE *fp, const char *what, int w, int h)
{
	if (w > 0 && h > 0)
		fprintf(fp, "%s: %dx%d px\n", what, w, h);
	else
		fprintf(fp, "%s: unknown\n", what);
}

void
probe_describe(const struct term_caps *caps, FILE *fp)
{
	const char *s, *e;

	fprintf(fp, "kitty graphics: %s\n", caps->kitty ? "yes" : "no");
	fprintf(fp, "sixel: %s\n", caps->sixel ? "yes" : "no");
	if (caps->colors > 0)
		fprintf(fp, "sixel colour registers: %d\n", caps->colors);
	else
		fprintf(fp, "sixel colour registers: unknown\n");
	probe_size(fp, "sixel area", caps->max_w, caps->max_h);
	probe_size(fp, "cell size", caps->cell_w, caps->cell_h);
	fprintf(fp, "truecolor: %s\n", caps->truecolor ? "yes" : "no");
	fprintf(fp, "tmux: %s\n", caps->in_tmux ? "yes" : "no");
	fprintf(fp, "screen: %s\n", caps->in_screen ? "yes" : "no");
	if (caps->da1[0] != '\0')
		fprintf(fp, "DA1: ?%sc\n", caps->da1);
	else
		fprintf(fp, "DA1: no reply\n");
	for (s = caps->why; *s != '\0'; s = *e != '\0' ? e + 2 : e) {
		e = strstr(s, "; ");
		if (e == NULL)
			e = s + strlen(s);
		fprintf(fp, "why: %.*s\n", (int)(e - s), s);
	}
}
