/* SPDX-License-Identifier: MIT */
/*
 * Inflection for replacements: WordNet's morphy run backwards. An
 * irregular form comes from the exception lists read the other way round
 * ("woman" -> "women", "leaf" -> "leaves", "run" -> "running"); a regular
 * one from the English spelling rules, and is kept only when morphy maps it
 * back to the lemma it was made from. A form that cannot be made with
 * confidence is not made: the caller then skips that replacement rather
 * than print "womans" or "sleepings".
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/text/tagger.h"
#include "core/text/textops_priv.h"
#include "core/text/wordnet.h"

static int
inf_vowel(char c)
{
	return strchr("aeiou", c) != NULL && c != '\0';
}

/* Whether morphy takes form back to lemma as pos. */
static int
inf_round_trip(struct wordnet *wn, const char *form, const char *lemma, int pos)
{
	char back[WN_LEMMA_MAX], key[WN_LEMMA_MAX];
	size_t i;

	for (i = 0; lemma[i] != '\0' && i + 1 < sizeof key; i++)
		key[i] = lemma[i] == ' ' ? '_' : lemma[i];
	key[i] = '\0';
	return wn_lemma(wn, form, pos, back, sizeof back) == 0 && strcasecmp(back, key) == 0;
}

/* The irregular form of lemma for form, or NULL; *listed: lemma has any. */
static char *
inf_irregular(struct wordnet *wn, const char *lemma, int pos, int form, int *listed)
{
	char **f, *pick = NULL;
	size_t n, i;

	n = wn_irregular_forms(wn, lemma, pos, &f);
	*listed = n > 0;
	for (i = 0; i < n; i++) {
		int ing = str_ends(f[i], "ing"), s = str_ends(f[i], "s");
		int want = pos == WN_NOUN ? 1 : form == TF_ING ? ing : form == TF_3S ? s && !ing :
		    !ing && !s;
		if (!want)
			continue;
		/* Past and participle differ ("ate", "eaten"): the past reads in more places. */
		if (pick == NULL || (form == TF_PAST && str_ends(pick, "n") && !str_ends(f[i], "n")))
			pick = f[i];
	}
	pick = pick != NULL ? xstrdup(pick) : NULL;
	wn_free_list(f, n);
	return pick;
}

/* The regular spelling of lemma (one word, lower case) in form. */
static char *
inf_regular(const char *w, int form)
{
	size_t n = strlen(w);
	char last = n ? w[n - 1] : '\0', prev = n > 1 ? w[n - 2] : '\0';

	if (form == TF_PLURAL || form == TF_3S) {
		if (n > 1 && last == 'y' && !inf_vowel(prev))
			return xasprintf("%.*sies", (int)(n - 1), w);
		if (str_ends(w, "s") || str_ends(w, "x") || str_ends(w, "z") || str_ends(w, "ch") ||
		    str_ends(w, "sh") || (form == TF_3S && last == 'o'))
			return xasprintf("%ses", w);
		return xasprintf("%ss", w);
	}
	if (form == TF_ING) {
		if (str_ends(w, "ie"))
			return xasprintf("%.*sying", (int)(n - 2), w);
		if (last == 'e' && n > 2 && !str_ends(w, "ee") && !str_ends(w, "ye") &&
		    !str_ends(w, "oe"))
			return xasprintf("%.*sing", (int)(n - 1), w);
		return xasprintf("%sing", w);
	}
	if (form == TF_PAST) {
		if (last == 'e')
			return xasprintf("%sd", w);
		if (n > 1 && last == 'y' && !inf_vowel(prev))
			return xasprintf("%.*sied", (int)(n - 1), w);
		return xasprintf("%sed", w);
	}
	return xstrdup(w);
}

/* Verbs whose past is their base form, which no exception list spells out. */
static const char *const inf_same_past[] = { "bet", "bid", "burst", "cast", "cost", "cut",
	"fit", "hit", "hurt", "let", "put", "quit", "read", "rid", "set", "shed", "shut", "slit",
	"split", "spread", "thrust", "upset", "wed", "wet", NULL };

char *
tt_inflect_word(struct wordnet *wn, const char *lemma, int pos, int form)
{
	char *f;
	int listed;

	if (form == TF_BASE)
		return xstrdup(lemma);
	if (form == TF_OTHER || strchr(lemma, ' ') != NULL)
		return NULL;
	if ((f = inf_irregular(wn, lemma, pos, form, &listed)) != NULL)
		return f;
	for (size_t i = 0; pos == WN_VERB && form == TF_PAST && inf_same_past[i] != NULL; i++) {
		if (strcmp(lemma, inf_same_past[i]) == 0)
			return xstrdup(lemma);
	}
	/*
	 * A verb with irregular forms but none for this form ("ran" listed,
	 * "runs" not) is regular here; a noun listed at all is irregular.
	 */
	if (listed && pos == WN_NOUN)
		return NULL;
	f = inf_regular(lemma, form);
	if (!inf_round_trip(wn, f, lemma, pos)) {
		free(f);
		return NULL;
	}
	return f;
}

char *
tt_inflect(struct wordnet *wn, const char *phrase, int pos, int form)
{
	const char *sp;
	char *w, *f, *out;

	if (form == TF_BASE)
		return xstrdup(phrase);
	if (strchr(phrase, ' ') == NULL)
		return tt_inflect_word(wn, phrase, pos, form);
	/* "fire engine" -> "fire engines", "get over" -> "gets over". */
	if (pos == WN_NOUN) {
		sp = strrchr(phrase, ' ');
		if ((f = tt_inflect_word(wn, sp + 1, pos, form)) == NULL)
			return NULL;
		out = xasprintf("%.*s %s", (int)(sp - phrase), phrase, f);
	} else if (pos == WN_VERB) {
		sp = strchr(phrase, ' ');
		w = xstrndup(phrase, (size_t)(sp - phrase));
		f = tt_inflect_word(wn, w, pos, form);
		free(w);
		if (f == NULL)
			return NULL;
		out = xasprintf("%s%s", f, sp);
	} else
		return NULL;
	free(f);
	return out;
}
