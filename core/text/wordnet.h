/* SPDX-License-Identifier: MIT */
/*
 * Read-only access to a WordNet 3.0 database in its original text form
 * (index.*, data.*, *.exc, as shipped by Debian's wordnet-base). Only the
 * index and exception files are loaded at open; synsets are read from
 * data.* by byte offset on demand, so opening costs a few milliseconds.
 *
 * Every look-up works on the MOST FREQUENT sense of a lemma only (the first
 * synset offset in its index line): caption augmentation must not wander
 * into rare senses ("dog" must never become "frump" or "cad").
 *
 * A struct wordnet is not thread-safe for concurrent use (look-ups share a
 * read buffer); open one per thread.
 */
#ifndef MMDA_WORDNET_H
#define MMDA_WORDNET_H

#include <stddef.h>

enum wn_pos {
	WN_NOUN,
	WN_VERB,
	WN_ADJ,
	WN_ADV,
	WN_NPOS
};

/* Longest lemma the look-ups accept, in bytes including the NUL. */
#define WN_LEMMA_MAX 128

struct wordnet;

/*
 * Opens the database in dir, or when dir is NULL in $MMDA_WORDNET or else
 * /usr/share/wordnet. Returns NULL with *cause (naming the folder and the
 * file at fault) when a file is missing or unreadable. wn_close(NULL) is
 * a no-op.
 */
struct wordnet *wn_open(const char *dir, char **cause);
void wn_close(struct wordnet *);

/* The folder actually opened (owned by the struct wordnet). */
const char *wn_dir(const struct wordnet *);

/*
 * Finds the base form of word as part of speech pos: the exception list
 * first, then the word itself, then the detachment rules, keeping the first
 * form present in the index. The word is folded to lower case and spaces
 * become '_'. Returns 0 with the lemma in out, or -1 when no form is in the
 * index (or out is too small).
 */
int wn_lemma(struct wordnet *, const char *word, int pos, char *out, size_t outlen);

/*
 * Reads the index line of lemma (already a base form, '_' for spaces, any
 * case). Returns 0 and sets *senses (synsets) and *tagged (senses seen in
 * the tagged corpora, a proxy for how common the word is as this part of
 * speech), or -1 when lemma is not in the index. Either pointer may be NULL.
 */
int wn_senses(struct wordnet *, const char *lemma, int pos, int *senses, int *tagged);

/*
 * The other lemmas of the most frequent sense of lemma, '_' turned into
 * spaces, in WordNet's order, without lemma itself (compared ignoring case)
 * and without adjective markers such as "(a)". Returns 0 with a newly
 * allocated array of *n newly allocated strings (*out NULL and *n 0 when the
 * sense has no other lemma; free with wn_free_list), or -1 when lemma is
 * not in the index or its synset cannot be read.
 */
int wn_synonyms_first_sense(struct wordnet *, const char *lemma, int pos, char ***out,
    size_t *n);

/*
 * The first lemma of the first hypernym ('@', or '@i' for an instance when
 * there is no '@') of the most frequent noun sense of lemma, '_' turned
 * into spaces. Returns 0 with a newly allocated *out, or -1 when lemma is
 * not a noun or that sense has no hypernym.
 */
int wn_hypernym_first_sense(struct wordnet *, const char *lemma, char **out);

/* Senses of a lemma wn_caption_sense looks at, in frequency order. */
#define WN_CAPTION_SENSES 4

/*
 * The sense a caption most likely means: for a noun, the first of its
 * WN_CAPTION_SENSES most frequent senses filed under a visual lexicographer
 * file (animal, artifact, body, food, location, object, person, plant), so
 * "table" is furniture and not a tabular array; else the first of them that
 * is a phenomenon or substance ("rain", "water"); otherwise, and for other
 * parts of speech, the most frequent sense. Returns 0 with
 * the synset's byte offset in *offset, or -1 when lemma is not in the index.
 */
int wn_caption_sense(struct wordnet *, const char *lemma, int pos, long *offset);

/*
 * As wn_synonyms_first_sense, for the synset at offset of pos (from
 * wn_caption_sense); lemma is left out of the list. Returns -1 when the
 * synset cannot be read.
 */
int wn_sense_synonyms(struct wordnet *, const char *lemma, int pos, long offset, char ***out,
    size_t *n);

/*
 * The first hypernym of noun synset offset: its offset in *hyper and its
 * first lemma (newly allocated, '_' turned into spaces) in *out. Returns
 * -1 with *out NULL when the synset has none or cannot be read.
 */
int wn_sense_hypernym(struct wordnet *, long offset, long *hyper, char **out);

/* The lexicographer file number of the synset, or -1 when it cannot be read. */
int wn_sense_lexfile(struct wordnet *, int pos, long offset);

/*
 * The irregular forms the exception list of pos maps to lemma ("women" for
 * woman, "ran" and "running" for run). Returns the count with a newly
 * allocated list in *out (free with wn_free_list; NULL when 0).
 */
size_t wn_irregular_forms(struct wordnet *, const char *lemma, int pos, char ***out);

/* Frees an array from wn_synonyms_first_sense (NULL is fine). */
void wn_free_list(char **, size_t);

#endif
