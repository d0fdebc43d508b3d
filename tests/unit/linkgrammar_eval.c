/* SPDX-License-Identifier: MIT */
/*
 * CMU link grammar's part of speech on the hand-tagged captions, for the
 * choice of tagger (core/text/tagger.h). Not part of the build (mmda does
 * not link link-grammar); build and run by hand:
 *
 *   apt-get install -y liblink-grammar-dev link-grammar-dictionaries-en
 *   cc -O2 -o /tmp/lg tests/unit/linkgrammar_eval.c $(pkg-config --cflags --libs link-grammar)
 *   /tmp/lg tests/data/text/tagged-captions.tsv [-v]
 *
 * Each caption is parsed whole; one without a complete linkage (most noun
 * phrases without a verb) is parsed again allowing null links. A word's
 * part of speech is its dictionary subscript in the first linkage: .n .s .p
 * .m .f .l .o .u a noun, .v .g .w .q .t a verb, .a an adjective, .e an
 * adverb; no subscript a function word; a null-linked word ("[word]") has
 * none. Content words are compared with the hand tags, as test_textops_pos
 * compares the rule tagger. Measured with link-grammar 5.12.0 (Debian 12):
 * 212 of 249 content words (rule tagger 247), 70 of 80 held out (78).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <link-grammar/link-includes.h>

static int
letter(char c)
{
	return isalpha((unsigned char)c);
}

/* The hand tag's class: n, v, a, r, or x for a function word. */
static char
subscript_class(const char *lw)
{
	const char *dot = strchr(lw, '.');

	if (lw[0] == '[')
		return '?';
	if (dot == NULL)
		return 'x';
	if (strchr("nspmflou", dot[1]) != NULL)
		return 'n';
	if (strchr("vgwqt", dot[1]) != NULL)
		return 'v';
	return dot[1] == 'a' ? 'a' : dot[1] == 'e' ? 'r' : 'x';
}

int
main(int argc, char **argv)
{
	Dictionary d = dictionary_create_lang("en");
	Parse_Options po = parse_options_create();
	int words = 0, content = 0, okc = 0, verbose = argc > 2;
	char line[2048];
	FILE *f;

	if (argc < 2 || (f = fopen(argv[1], "r")) == NULL || d == NULL) {
		fprintf(stderr, "usage: %s TAGGED.tsv [-v]\n", argv[0]);
		return 2;
	}
	parse_options_set_verbosity(po, 0);
	parse_options_set_linkage_limit(po, 100);
	parse_options_set_max_parse_time(po, 10);
	while (fgets(line, sizeof line, f) != NULL) {
		char *tab, *w[64], *tag[64], *save = NULL, *t, *p;
		int n = 0, k = 0, i, j = 0, nw, nl;
		Sentence s;
		Linkage l;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		/* Words by the operators' rule: letters with inner hyphens or apostrophes. */
		for (p = line; *p != '\0' && n < 64;) {
			char *st = p;
			if (!letter(*p)) {
				p++;
				continue;
			}
			while (*p != '\0' && (letter(*p) || ((*p == '-' || *p == '\'') && letter(p[1]))))
				p++;
			w[n++] = strndup(st, (size_t)(p - st));
		}
		for (t = strtok_r(tab + 1, " ", &save); t != NULL && k < 64; t = strtok_r(NULL, " ", &save))
			tag[k++] = t;
		s = sentence_create(line, d);
		parse_options_set_min_null_count(po, 0);
		parse_options_set_max_null_count(po, 0);
		if ((nl = sentence_parse(s, po)) == 0) {
			parse_options_set_min_null_count(po, 1);
			parse_options_set_max_null_count(po, sentence_length(s));
			nl = sentence_parse(s, po);
		}
		l = nl > 0 ? linkage_create(0, s, po) : NULL;
		nw = l != NULL ? (int)linkage_get_num_words(l) : 0;
		for (i = 0; i < n && i < k; i++) {
			char got = '?', gold = tag[i][0];
			/* The next linkage word spelling this word, walls and punctuation skipped. */
			for (; j < nw; j++) {
				const char *lw = linkage_get_word(l, j);
				char base[128], *e;
				snprintf(base, sizeof base, "%s", lw[0] == '[' ? lw + 1 : lw);
				if ((e = strpbrk(base, ".[]")) != NULL)
					*e = '\0';
				if (strcasecmp(base, w[i]) == 0) {
					got = subscript_class(lw);
					j++;
					break;
				}
			}
			words++;
			if (gold != 'x') {
				content++;
				okc += got == gold;
				if (verbose && got != gold)
					printf("  %s: %s is %c, hand tag %s\n", line, w[i], got, tag[i]);
			}
			free(w[i]);
		}
		if (l != NULL)
			linkage_delete(l);
		sentence_delete(s);
	}
	fclose(f);
	printf("link-grammar: %d/%d content words (%d words)\n", okc, content, words);
	parse_options_delete(po);
	dictionary_delete(d);
	return 0;
}
