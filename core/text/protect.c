/* SPDX-License-Identifier: MIT */
/*
 * The words no caption operator replaces, removes or moves: identity words
 * (race, ethnicity, nationality, religion, gender, age), colour words when
 * they describe a person ("a black woman", "two white men"), and the
 * user's own list. Swapping "white" for "Caucasian" or dropping "black"
 * from "a black woman" is label noise of the worst kind for a curated
 * subset, so the built-in list is always on; a file or a parameter can only
 * add to it.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/util.h"
#include "core/text/tagger.h"
#include "core/text/textops.h"
#include "core/text/textops_priv.h"
#include "core/text/wordnet.h"

/* Lower case; plurals spelled out, since a word is matched as written. */
static const char *const pr_identity[] = {
	/* race and ethnicity */
	"aboriginal", "african", "africans", "afro", "arab", "arabs", "asian", "asians",
	"biracial", "caucasian", "caucasians", "ethnic", "hispanic", "hispanics", "indigenous",
	"latina", "latinas", "latino", "latinos", "latinx", "multiracial", "native", "natives",
	"negro", "blacks", "whites",
	/* nationality and region */
	"american", "americans", "arabian", "argentinian", "australian", "australians",
	"bangladeshi", "brazilian", "brazilians", "british", "canadian", "canadians", "chilean",
	"chinese", "colombian", "cuban", "dutch", "egyptian", "english", "ethiopian",
	"european", "europeans", "filipino", "filipina", "french", "german", "germans", "greek",
	"haitian", "indian", "indians", "indonesian", "iranian", "iraqi", "irish", "israeli",
	"italian", "italians", "jamaican", "japanese", "kenyan", "korean", "koreans",
	"mexican", "mexicans", "mongolian", "moroccan", "nepali", "nigerian", "pakistani",
	"palestinian", "persian", "peruvian", "polish", "portuguese", "russian", "russians",
	"scottish", "somali", "spanish", "swedish", "syrian", "thai", "tibetan", "turkish",
	"ukrainian", "vietnamese", "welsh",
	/* religion */
	"amish", "atheist", "buddhist", "buddhists", "catholic", "catholics", "christian",
	"christians", "hindu", "hindus", "islamic", "jew", "jewish", "jews", "mormon", "muslim",
	"muslims", "protestant", "religious", "sikh", "sikhs",
	/* gender and family roles that carry it */
	"aunt", "boy", "boys", "boyfriend", "bride", "brother", "brothers", "dad", "daughter",
	"daughters", "father", "fathers", "female", "females", "feminine", "gay", "gentleman",
	"gentlemen", "girl", "girls", "girlfriend", "grandfather", "grandma", "grandmother",
	"grandpa", "groom", "guy", "guys", "he", "her", "him", "his", "husband", "king", "ladies",
	"lady", "lesbian", "male", "males", "man", "masculine", "men", "mom", "mother",
	"mothers", "mum", "nephew", "niece", "nonbinary", "prince", "princess", "queen", "she",
	"sister", "sisters", "son", "sons", "transgender", "uncle", "wife", "wives", "woman",
	"women",
	/* age */
	"adolescent", "adolescents", "adult", "adults", "aged", "babies", "baby", "child",
	"children", "elderly", "infant", "infants", "kid", "kids", "middle-aged", "newborn",
	"old", "older", "senior", "seniors", "teen", "teenage", "teenager", "teenagers", "teens",
	"toddler", "toddlers", "young", "younger", "youngster", "youngsters", "youth",
	NULL,
};

/* Colour words: identity words only when a person follows ("a black woman"). */
static const char *const pr_colours[] = {
	"beige", "black", "blue", "brown", "cyan", "gold", "golden", "gray", "green", "grey",
	"magenta", "maroon", "navy", "orange", "pink", "purple", "red", "silver", "tan", "teal",
	"turquoise", "violet", "white", "yellow", NULL,
};

int
tt_in_list(const char *w, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++) {
		if (strcasecmp(w, *list) == 0)
			return 1;
	}
	return 0;
}

int
textop_is_identity(const char *word)
{
	return tt_in_list(word, pr_identity);
}

const char *const *
textop_colour_words(void)
{
	return pr_colours;
}

static int
pr_colour(const char *word)
{
	return tt_in_list(word, pr_colours);
}

int
tt_phrase_has_identity(const char *phrase)
{
	char *copy = xstrdup(phrase), *tok, *save = NULL;
	int hit = 0;

	for (tok = strtok_r(copy, " -", &save); tok != NULL && !hit;
	    tok = strtok_r(NULL, " -", &save)) {
		size_t l = strlen(tok);
		/* "woman's clothing" names a gender as much as "woman" does. */
		if (l > 2 && strcmp(tok + l - 2, "'s") == 0)
			tok[l - 2] = '\0';
		hit = textop_is_identity(tok);
	}
	free(copy);
	return hit;
}

/* Whether word i names a person: an identity noun or a noun.person sense. */
static int
pr_person(struct wordnet *wn, const char *const *w, const struct tag_word *t, size_t i)
{
	long off;

	if (textop_is_identity(w[i]))
		return 1;
	if (t[i].pos != WN_NOUN || !t[i].known)
		return 0;
	return wn_caption_sense(wn, t[i].lemma, WN_NOUN, &off) == 0 &&
	    wn_sense_lexfile(wn, WN_NOUN, off) == 18;
}

void
tt_mark_protected(struct wordnet *wn, const char *const *w, const struct tag_word *t,
    size_t n, const char *const *extra, unsigned char *keep)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		keep[i] = textop_is_identity(w[i]) || tt_in_list(w[i], extra);
	/* "a black woman", "two white elderly men": look past further modifiers. */
	for (i = 0; i < n; i++) {
		if (!pr_colour(w[i]))
			continue;
		for (j = i + 1; j < n && j <= i + 3; j++) {
			if (pr_person(wn, w, t, j)) {
				keep[i] = 1;
				break;
			}
			if (t[j].pos != WN_ADJ && !pr_colour(w[j]) && !(t[j].pos == -1 &&
			    strcasecmp(w[j], "and") == 0))
				break;
		}
	}
}

int
textop_read_words(const char *path, char ***out, size_t *n, char **cause)
{
	char *data, *p, *end, *line, *save;
	size_t len, l;

	*out = NULL;
	*n = 0;
	if (file_read_all(path, (size_t)1 << 20, &data, &len, cause) != 0)
		return -1;
	for (p = data; p < data + len; p = end + 1) {
		end = memchr(p, '\n', (size_t)(data + len - p));
		if (end == NULL)
			end = data + len;
		*end = '\0';
		if ((line = strchr(p, '#')) != NULL)
			*line = '\0';
		/* One word or phrase a line; commas separate several on one line. */
		save = NULL;
		for (line = strtok_r(p, ",\r\t", &save); line != NULL;
		    line = strtok_r(NULL, ",\r\t", &save)) {
			while (isspace((unsigned char)*line))
				line++;
			l = strlen(line);
			while (l > 0 && isspace((unsigned char)line[l - 1]))
				line[--l] = '\0';
			if (l == 0)
				continue;
			*out = xreallocarray(*out, *n + 2, sizeof **out);
			(*out)[(*n)++] = xstrdup(line);
			(*out)[*n] = NULL;
		}
	}
	free(data);
	return 0;
}
