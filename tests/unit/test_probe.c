/* SPDX-License-Identifier: MIT */
/*
 * The terminal probe (tui/probe.c): probe_parse on the replies measured in
 * terminal.md 3.1 (xterm in VT340 mode, xterm's default VT420 identity,
 * mlterm, tmux), and probe_terminal against a real pty where a thread plays
 * the terminal: answering like xterm, never answering (the deadline must
 * hold), answering DA1 only, answering in pieces, and the tmux and screen
 * rules.
 *
 * The Makefile links unit tests only with core/ and db/ (build/libmmda.a), so
 * this test compiles the tui module in by including its .c file.
 */
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tui/probe.c"

#include "tests/harness.h"

#define XTERM_VT340 "\033[?1;0;1024S\033[?2;0;600;520S\033[?63;1;2;4;6;9;15;16;22;28c"
#define XTERM_VT340_OPS \
	"\033[?1;0;256S\033[?2;0;600;520S\033[6;13;6t\033[?63;1;2;4;6;9;15;16;22;28c"
#define XTERM_DEFAULT "\033[?1;3S\033[?2;3S\033[?64;1;2;6;9;15;16;17;18;21;22;28c"
#define MLTERM "\033[?1;0;1024S\033[?1;3;0S\033[6;22;10t\033[?63;1;2;3;4;6;7;15;18;22;29c"
#define TMUX_DA1 "\033[?1;2c"
/* kitty answers the graphics query before DA1 and has no sixel. */
#define KITTY "\033_Gi=31;OK\033\\\033[6;20;10t\033[?62;c"

static void
clean_env(void)
{
	unsetenv("TMUX");
	unsetenv("STY");
	unsetenv("TERM_PROGRAM");
	unsetenv("TERM_PROGRAM_VERSION");
	unsetenv("COLORTERM");
}

static int
parse(const char *s, struct term_caps *caps)
{
	memset(caps, 0, sizeof *caps);
	return probe_parse(s, strlen(s), caps);
}

static void
test_parse_measured(void)
{
	struct term_caps c;

	CHECK(parse(XTERM_VT340, &c) == 1);
	CHECK(c.sixel == 1 && c.colors == 1024 && c.max_w == 600 && c.max_h == 520);
	CHECK(c.cell_w == 0 && c.cell_h == 0);
	CHECK_STR(c.da1, "63;1;2;4;6;9;15;16;22;28");
	CHECK(strstr(c.why, "DA1 lists 4 (sixel)") != NULL);

	CHECK(parse(XTERM_VT340_OPS, &c) == 1);
	CHECK(c.sixel == 1 && c.colors == 256 && c.cell_w == 6 && c.cell_h == 13);

	CHECK(parse(XTERM_DEFAULT, &c) == 1);
	CHECK(c.sixel == 0 && c.colors == 0 && c.max_w == 0 && c.max_h == 0);
	CHECK(strstr(c.why, "status 3") != NULL);

	/* mlterm answers the area query with a malformed colour reply: ignored. */
	CHECK(parse(MLTERM, &c) == 1);
	CHECK(c.sixel == 1 && c.colors == 1024 && c.max_w == 0 && c.max_h == 0);
	CHECK(c.cell_w == 10 && c.cell_h == 22);

	CHECK(parse(TMUX_DA1, &c) == 1);
	CHECK(c.sixel == 0 && c.colors == 0);
	CHECK_STR(c.da1, "1;2");
}

static void
test_parse_edges(void)
{
	struct term_caps c;

	/* 4 as the device class is not the sixel attribute. */
	CHECK(parse("\033[?4;6c", &c) == 1 && c.sixel == 0);
	/* Keys typed during the probe and other sequences are skipped. */
	CHECK(parse("jk\033[A\033[>0;276;0c\033[?62;4c", &c) == 1 && c.sixel == 1);
	/* A cut-off DA1 is not a reply. */
	CHECK(parse("\033[?63;1;2;4", &c) == 0 && c.sixel == 0 && c.da1[0] == '\0');
	CHECK(parse("", &c) == 0);
	CHECK(parse("\033[", &c) == 0);
	/* Replies without DA1 still fill what they say. */
	CHECK(parse("\033[?2;0;1000;1000S", &c) == 0 && c.max_w == 1000);
	/* Status 0 with a zero count is no information. */
	CHECK(parse("\033[?1;0;0S\033[6;0;0t", &c) == 0 && c.colors == 0 && c.cell_w == 0);
	/* Huge numbers are capped, not overflowed. */
	CHECK(parse("\033[?1;0;99999999999999999999S", &c) == 0 && c.colors > 0);
	/* why never overflows. */
	{
		char many[4000];
		size_t i;

		many[0] = '\0';
		for (i = 0; i < 100; i++)
			strcat(many, "\033[?62;4c");
		CHECK(parse(many, &c) == 1 && strlen(c.why) < sizeof c.why);
	}
}

static void
test_parse_kitty(void)
{
	struct term_caps c;

	CHECK(parse(KITTY, &c) == 1);
	CHECK(c.kitty == 1 && c.sixel == 0 && c.cell_w == 10 && c.cell_h == 20);
	CHECK(strstr(c.why, "kitty graphics query answered OK") != NULL);
	/* Amid junk: keys typed meanwhile, other replies, another APC. */
	CHECK(parse("jk\033_Gi=7;OK\033\\x\033[A\033_Gi=31;OK\033\\\033[?62;4c", &c) == 1);
	CHECK(c.kitty == 1 && c.sixel == 1);
	/* Only our id counts; i=310 or i=3 are not it. */
	CHECK(parse("\033_Gi=310;OK\033\\\033_Gi=3;OK\033\\\033[?62;c", &c) == 1 && c.kitty == 0);
	/* Other keys beside the id are allowed. */
	CHECK(parse("\033_Gi=31,p=1;OK\033\\\033[?62;c", &c) == 1 && c.kitty == 1);
	/* An error reply is a no, and its text is shown tamed. */
	CHECK(parse("\033_Gi=31;ENOTSUP:\r\007x\033\\\033[?62;c", &c) == 1 && c.kitty == 0);
	CHECK(strstr(c.why, "answered ENOTSUP:??x: no kitty graphics") != NULL);
	/* No reply (the terminal ignored the APC): no kitty. */
	CHECK(parse("\033[?62;4c", &c) == 1 && c.kitty == 0);
	/* A reply cut off by the buffer's end is not an answer. */
	CHECK(parse("\033_Gi=31;O", &c) == 0 && c.kitty == 0);
	CHECK(parse("\033_G", &c) == 0 && c.kitty == 0);
	/* An unterminated APC does not swallow the DA1 after it forever. */
	{
		char big[600];
		memset(big, 'A', sizeof big);
		memcpy(big, "\033_Gi=31;", 8);
		memcpy(big + sizeof big - 8, "\033[?62c", 7);
		big[sizeof big - 1] = '\0';
		CHECK(parse(big, &c) == 1 && c.kitty == 0);
	}
}

/* The fake terminal on the master side of a pty. */
enum player_mode { PLAY_REPLY, PLAY_SILENT, PLAY_SPLIT };

struct player {
	int master;
	enum player_mode mode;
	const char *reply;
	char got[256];
	size_t gotlen;
};

static void *
player_run(void *arg)
{
	struct player *pl = arg;
	struct pollfd pfd;
	size_t half;
	ssize_t n;

	/* Collect the queries until DA1 (the last one) has arrived. */
	while (pl->gotlen < sizeof pl->got - 1) {
		pfd.fd = pl->master;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 3000) <= 0)
			return NULL;
		n = read(pl->master, pl->got + pl->gotlen, sizeof pl->got - 1 - pl->gotlen);
		if (n <= 0)
			return NULL;
		pl->gotlen += (size_t)n;
		pl->got[pl->gotlen] = '\0';
		if (strstr(pl->got, "\033[c") != NULL)
			break;
	}
	if (pl->mode == PLAY_SILENT)
		return NULL;
	if (pl->mode == PLAY_SPLIT) {
		half = strlen(pl->reply) - 5;
		if (write(pl->master, pl->reply, half) < 0)
			return NULL;
		usleep(60 * 1000);
		if (write(pl->master, pl->reply + half, strlen(pl->reply) - half) < 0)
			return NULL;
		return NULL;
	}
	if (write(pl->master, pl->reply, strlen(pl->reply)) < 0)
		return NULL;
	return NULL;
}

/*
 * Runs probe_terminal on a fresh 100x40 pty (604x524 px, as xterm reports
 * with its border) with the player answering; returns the result and the
 * time taken in *ms.
 */
static int
play(enum player_mode mode, const char *reply, int timeout_ms, struct term_caps *caps,
    int64_t *ms)
{
	struct player pl;
	struct winsize ws = { 40, 100, 604, 524 };
	struct termios before, after;
	pthread_t t;
	int master, slave, r;
	int64_t t0;

	if (openpty(&master, &slave, NULL, NULL, &ws) != 0) {
		CHECKF(0, "openpty failed");
		return -2;
	}
	memset(&pl, 0, sizeof pl);
	pl.master = master;
	pl.mode = mode;
	pl.reply = reply;
	CHECK(tcgetattr(slave, &before) == 0);
	CHECK(pthread_create(&t, NULL, player_run, &pl) == 0);
	t0 = now_mono_ms();
	r = probe_terminal(slave, timeout_ms, caps);
	*ms = now_mono_ms() - t0;
	pthread_join(t, NULL);
	/* One batch of queries, DA1 last, and the tty as it was. */
	CHECK(pl.gotlen == sizeof probe_queries - 1 &&
	    memcmp(pl.got, probe_queries, pl.gotlen) == 0);
	CHECK(tcgetattr(slave, &after) == 0);
	CHECK(before.c_lflag == after.c_lflag && before.c_cc[VMIN] == after.c_cc[VMIN]);
	close(slave);
	close(master);
	return r;
}

static void
test_pty_xterm(void)
{
	struct term_caps c;
	int64_t ms;

	clean_env();
	CHECK(play(PLAY_REPLY, XTERM_VT340, 1000, &c, &ms) == 0);
	CHECK(c.sixel == 1 && c.colors == 1024 && c.max_w == 600 && c.max_h == 520);
	/* No CSI 16 t reply: 600/100 and 520/40 from the sixel area. */
	CHECK(c.cell_w == 6 && c.cell_h == 13);
	CHECK(c.in_tmux == 0 && c.in_screen == 0 && c.truecolor == 0);
	CHECKF(ms < 500, "%lld ms", (long long)ms);

	setenv("COLORTERM", "truecolor", 1);
	CHECK(play(PLAY_REPLY, MLTERM, 1000, &c, &ms) == 0);
	CHECK(c.sixel == 1 && c.cell_w == 10 && c.cell_h == 22 && c.truecolor == 1);
	CHECK(c.kitty == 0);
	clean_env();

	/* The kitty query goes out before the DA1 fence and its reply comes before DA1's. */
	CHECK(strstr(probe_queries, "\033_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\033\\") == probe_queries);
	CHECK(play(PLAY_REPLY, KITTY, 1000, &c, &ms) == 0);
	CHECK(c.kitty == 1 && c.sixel == 0 && c.cell_w == 10 && c.cell_h == 20);
	CHECKF(ms < 500, "%lld ms", (long long)ms);
}

static void
test_pty_silent(void)
{
	struct term_caps c;
	int64_t ms;

	clean_env();
	CHECK(play(PLAY_SILENT, NULL, 300, &c, &ms) == -1);
	CHECKF(ms >= 290 && ms <= 400, "%lld ms for a 300 ms deadline", (long long)ms);
	CHECK(c.sixel == 0 && c.da1[0] == '\0');
	CHECK(strstr(c.why, "no DA1 reply within 300 ms") != NULL);
	/* The window size still gives the cell size, border rounded off. */
	CHECK(c.cell_w == 6 && c.cell_h == 13);
}

static void
test_pty_da1_only(void)
{
	struct term_caps c;
	int64_t ms;

	clean_env();
	/* The DA1 fence: no waiting for the queries that got no answer. */
	CHECK(play(PLAY_REPLY, "\033[?63;1;2;4;6;9;15;16;22;28c", 2000, &c, &ms) == 0);
	CHECKF(ms < 1000, "%lld ms", (long long)ms);
	CHECK(c.sixel == 1 && c.colors == 0 && c.max_w == 0 && c.max_h == 0);
	CHECK(c.cell_w == 6 && c.cell_h == 13);

	CHECK(play(PLAY_SPLIT, XTERM_DEFAULT, 2000, &c, &ms) == 0);
	CHECKF(ms >= 50 && ms < 1000, "%lld ms", (long long)ms);
	CHECK(c.sixel == 0 && c.da1[0] != '\0');
}

static void
test_pty_multiplexers(void)
{
	struct term_caps c;
	int64_t ms;

	clean_env();
	setenv("TMUX", "/tmp/tmux-0/default,123,0", 1);
	setenv("TERM_PROGRAM", "tmux", 1);
	setenv("TERM_PROGRAM_VERSION", "3.3a", 1);
	/* Even if the answer claimed sixel, tmux 3.3 swallows it. */
	CHECK(play(PLAY_REPLY, XTERM_VT340, 1000, &c, &ms) == 0);
	CHECK(c.in_tmux == 1 && c.sixel == 0);
	CHECK(strstr(c.why, "inside tmux 3.3a: tmux answers DA1 itself") != NULL);

	setenv("TERM_PROGRAM_VERSION", "3.4", 1);
	CHECK(play(PLAY_REPLY, XTERM_VT340, 1000, &c, &ms) == 0);
	CHECK(c.in_tmux == 1 && c.sixel == 1);

	unsetenv("TERM_PROGRAM_VERSION");
	CHECK(play(PLAY_REPLY, TMUX_DA1, 1000, &c, &ms) == 0);
	CHECK(c.sixel == 0 && strstr(c.why, "version unknown") != NULL);

	/* kitty graphics would need passthrough: refused inside tmux whatever it answers. */
	CHECK(play(PLAY_REPLY, KITTY, 1000, &c, &ms) == 0);
	CHECK(c.kitty == 0 && strstr(c.why, "inside tmux: no kitty graphics (passthrough") != NULL);

	clean_env();
	setenv("STY", "1234.pts-0.host", 1);
	CHECK(play(PLAY_REPLY, XTERM_VT340, 1000, &c, &ms) == 0);
	CHECK(c.in_screen == 1 && c.sixel == 0);
	CHECK(strstr(c.why, "GNU screen") != NULL);
	CHECK(play(PLAY_REPLY, KITTY, 1000, &c, &ms) == 0);
	CHECK(c.kitty == 0 && strstr(c.why, "inside GNU screen: no kitty graphics") != NULL);
	clean_env();
}

static void
test_not_a_tty(void)
{
	struct term_caps c;
	int p[2];
	char b[8];

	clean_env();
	CHECK(pipe(p) == 0);
	CHECK(probe_terminal(p[1], 1000, &c) == -1);
	CHECK(c.sixel == 0 && strstr(c.why, "not a terminal") != NULL);
	/* Nothing was written to it. */
	close(p[1]);
	CHECK(read(p[0], b, sizeof b) == 0);
	close(p[0]);
	CHECK(probe_terminal(-1, 1000, &c) == -1);
}

static void
test_describe(void)
{
	struct term_caps c;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	clean_env();
	CHECK(parse(XTERM_VT340_OPS, &c) == 1);
	fp = open_memstream(&text, &len);
	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	probe_describe(&c, fp);
	fclose(fp);
	CHECK(strstr(text, "sixel: yes\n") != NULL && strstr(text, "kitty graphics: no\n") != NULL);
	CHECK(strstr(text, "sixel colour registers: 256\n") != NULL);
	CHECK(strstr(text, "sixel area: 600x520 px\n") != NULL);
	CHECK(strstr(text, "cell size: 6x13 px\n") != NULL);
	CHECK(strstr(text, "DA1: ?63;1;2;4;6;9;15;16;22;28c\n") != NULL);
	CHECK(strstr(text, "why: DA1 lists 4 (sixel)\n") != NULL);
	CHECK(strstr(text, "why: CSI 16 t: cell 6x13 px\n") != NULL);
	CHECK(strstr(text, "; ") == NULL);
	free(text);

	memset(&c, 0, sizeof c);
	fp = open_memstream(&text, &len);
	if (fp == NULL)
		return;
	probe_describe(&c, fp);
	fclose(fp);
	CHECK(strstr(text, "sixel: no\n") != NULL && strstr(text, "DA1: no reply\n") != NULL);
	CHECK(strstr(text, "cell size: unknown\n") != NULL && strstr(text, "why:") == NULL);
	free(text);
}

int
main(void)
{
	h_suite = "probe";
	RUN(test_parse_measured);
	RUN(test_parse_edges);
	RUN(test_parse_kitty);
	RUN(test_pty_xterm);
	RUN(test_pty_silent);
	RUN(test_pty_da1_only);
	RUN(test_pty_multiplexers);
	RUN(test_not_a_tty);
	RUN(test_describe);
	HARNESS_END();
}
