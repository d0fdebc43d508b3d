/* SPDX-License-Identifier: MIT */
/*
 * WebDataset shards: PREFIX-000000.tar, PREFIX-000001.tar, ..., each holding
 * shard_size samples of three members, KEY.EXT (the image file's bytes,
 * copied in chunks), KEY.txt (the caption) and KEY.json (the pairs.jsonl
 * object). Plain ustar, written so that the same items give the same bytes:
 * mode 0644, owner 0, mtime 0, no user names. A shard ends with two zero
 * blocks and is fsynced before the next one starts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/export/export_priv.h"
#include "core/base/safefile.h"

#define TAR_BLOCK 512
#define TAR_NAME_MAX 100
#define TAR_PREFIX_MAX 155
#define TAR_SIZE_MAX 077777777777ULL /* 11 octal digits: 8 GiB - 1 */
#define WDS_CHUNK (64 * 1024)

struct wds {
	int64_t next_shard; /* number of the next shard to open */
	int64_t in_shard;   /* samples in the open shard (w->out) */
	unsigned char *buf; /* image copy chunk */
};

/*
 * Fills a ustar header for a regular file. Names over 100 bytes are split
 * at a slash into the prefix field; a name that cannot be split fails.
 */
static int
tar_header(unsigned char h[TAR_BLOCK], const char *name, uint64_t size, char **cause)
{
	size_t len = strlen(name), cut = 0;
	unsigned sum = 0;

	memset(h, 0, TAR_BLOCK);
	if (len > TAR_NAME_MAX) {
		/* The first slash leaving a name of 1-100 bytes after a prefix of at most 155. */
		for (size_t i = 1; i < len && i <= TAR_PREFIX_MAX; i++) {
			if (name[i] == '/' && len - i - 1 <= TAR_NAME_MAX && len - i - 1 > 0) {
				cut = i;
				break;
			}
		}
		if (cut == 0)
			return cause_set(cause, "export: tar member name too long for ustar "
			    "(%zu bytes, at most 100): %s", len, name);
		memcpy(h + 345, name, cut);
		memcpy(h, name + cut + 1, len - cut - 1);
	} else
		memcpy(h, name, len);
	if (size > TAR_SIZE_MAX)
		return cause_set(cause, "export: %s is too large for a ustar member", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 0); /* mtime 0: reproducible shards */
	h[156] = '0';
	memcpy(h + 257, "ustar", 6); /* with its NUL */
	memcpy(h + 263, "00", 2);
	snprintf((char *)h + 329, 8, "%07o", 0);
	snprintf((char *)h + 337, 8, "%07o", 0);
	/* POSIX: the unsigned sum of the header with the checksum field as spaces. */
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 7, "%06o", sum);
	h[155] = ' ';
	return 0;
}

static void
tar_pad(FILE *f, uint64_t size)
{
	static const unsigned char zero[TAR_BLOCK];
	size_t rest = (size_t)(size % TAR_BLOCK);

	if (rest != 0)
		fwrite(zero, 1, TAR_BLOCK - rest, f);
}

/* A member whose data is in memory. */
static int
tar_member(FILE *f, const char *name, const void *data, size_t len, char **cause)
{
	unsigned char h[TAR_BLOCK];

	if (tar_header(h, name, len, cause) != 0)
		return -1;
	fwrite(h, 1, TAR_BLOCK, f);
	fwrite(data, 1, len, f);
	tar_pad(f, len);
	return 0;
}

/* Ends the open shard (two zero blocks) and fsyncs it. */
static int
wds_end_shard(struct export_writer *w, char **cause)
{
	static const unsigned char zero[2 * TAR_BLOCK];
	struct wds *s = w->state;

	if (w->out.f == NULL)
		return 0;
	fwrite(zero, 1, sizeof zero, w->out.f);
	if (export_file_finish(&w->out, cause) != 0)
		return -1;
	w->files++;
	s->in_shard = 0;
	return 0;
}

static int
wds_open(struct export_writer *w, char **cause)
{
	struct wds *s = xcalloc(1, sizeof *s);

	(void)cause;
	s->buf = xmalloc(WDS_CHUNK + 1);
	w->state = s;
	return 0; /* the first shard opens with the first item: no items, no shards */
}

/* The serialized pairs.jsonl object, in memory because the header needs its size. */
static int
wds_json(const struct export_item *it, char **out, size_t *len, char **cause)
{
	FILE *m = open_memstream(out, len);

	if (m == NULL)
		return cause_set(cause, "export: open_memstream: %s", strerror(errno));
	int rc = export_json_item(m, it, cause);
	if (fclose(m) != 0 && rc == 0)
		rc = cause_set(cause, "export: memory stream: %s", strerror(errno));
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

static int
wds_write(struct export_writer *w, const struct export_item *it, char **cause)
{
	struct wds *s = w->state;
	const char *ext = it->image_ext;
	unsigned char h[TAR_BLOCK];
	char *imgname = NULL, *txtname = NULL, *jsonname = NULL, *json = NULL;
	size_t jsonlen = 0;
	char *why = NULL;
	struct stat st;
	size_t size = 0;
	int fd = -1, own = 0, rc = -1;

	if (it->image_src == NULL || ext == NULL || *ext == '\0' || strchr(ext, '/') != NULL)
		return cause_set(cause, "export: item %s has no image file or extension", it->key);
	/* WebDataset splits a member name at the first dot after the last slash. */
	const char *base = strrchr(it->key, '/');
	if (strchr(base != NULL ? base + 1 : it->key, '.') != NULL)
		return cause_set(cause, "export: item key %s has a dot, which WebDataset "
		    "would read as an extension", it->key);
	if (strcmp(ext, "jpeg") == 0)
		ext = "jpg";
	imgname = xasprintf("%s.%s", it->key, ext);
	txtname = xasprintf("%s.txt", it->key);
	jsonname = xasprintf("%s.json", it->key);
	/* Everything that can fail on the item's own account before a byte is written. */
	if (tar_header(h, jsonname, 0, cause) != 0 || tar_header(h, imgname, 0, cause) != 0)
		goto out;
	if (it->image_open && it->image_fd >= 0) {
		fd = it->image_fd;
		size = it->image_size;
	} else if (it->image_open)
		why = xasprintf("%s: not a readable regular file", it->image_src);
	else if ((fd = file_open_regular(it->image_src, SIZE_MAX, NULL, &why)) >= 0) {
		own = 1;
		if (fstat(fd, &st) == 0)
			size = (size_t)st.st_size;
		else
			why = xasprintf("%s: %s", it->image_src, strerror(errno));
	}
	if (fd < 0 || why != NULL) {
		cause_set(cause, "export: item %s: %s", it->key, why);
		goto out;
	}
	if (wds_json(it, &json, &jsonlen, cause) != 0)
		goto out;

	if (w->out.f != NULL && s->in_shard >= w->shard_size && wds_end_shard(w, cause) != 0)
		goto out;
	if (w->out.f == NULL) {
		char *name = xasprintf("%s-%06lld.tar", w->prefix, (long long)s->next_shard);
		int orc = export_file_open(w, &w->out, name, cause);
		free(name);
		if (orc != 0)
			goto out;
		s->next_shard++;
	}
	FILE *f = w->out.f;
	size_t done = 0;
	ssize_t n;
	if (tar_header(h, imgname, size, cause) != 0)
		goto out;
	fwrite(h, 1, TAR_BLOCK, f);
	/*
	 * By offset, asking one byte past the promised size in the last read: a
	 * file that grew shows so without another call (a small image is one read).
	 */
	for (;;) {
		size_t want = size - done < WDS_CHUNK ? size - done + 1 : WDS_CHUNK;
		if ((n = pread(fd, s->buf, want, (off_t)done)) <= 0)
			break;
		if (done + (size_t)n > size) {
			done += (size_t)n;
			break;
		}
		fwrite(s->buf, 1, (size_t)n, f);
		done += (size_t)n;
	}
	if (n < 0) {
		cause_set(cause, "export: %s: read failed: %s", it->image_src, strerror(errno));
		goto out;
	}
	if (done != size) {
		/* The header already promised st_size bytes. */
		cause_set(cause, "export: %s: changed size while being read", it->image_src);
		goto out;
	}
	tar_pad(f, size);
	if (tar_member(f, txtname, it->text, strlen(it->text), cause) != 0 ||
	    tar_member(f, jsonname, json, jsonlen, cause) != 0)
		goto out;
	s->in_shard++;
	rc = export_file_check(&w->out, cause);
out:
	if (own)
		close(fd);
	free(imgname);
	free(txtname);
	free(jsonname);
	free(json);
	free(why);
	return rc;
}

static int
wds_finish(struct export_writer *w, char **cause)
{
	return wds_end_shard(w, cause);
}

static void
wds_release(struct export_writer *w)
{
	struct wds *s = w->state;

	if (s == NULL)
		return;
	free(s->buf);
	free(s);
	w->state = NULL;
}

const struct export_fmt export_fmt_wds = {
	"wds", wds_open, wds_write, wds_finish, wds_release
};
