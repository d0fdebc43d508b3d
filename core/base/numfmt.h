/* SPDX-License-Identifier: MIT */
/*
 * Numbers as people read them: the shortest decimal that reads back as the
 * same double (0.3, not 0.29999999999999999). What mmda hashes (canonical
 * params in aug_ids and job specs) keeps its %.17g spelling so ids made
 * before stay valid; this is for what is printed, exported and shown.
 */
#ifndef MMDA_NUMFMT_H
#define MMDA_NUMFMT_H

/* Writes the shortest of %.15g, %.16g, %.17g that strtod reads back as v. */
void numfmt_shortest(double v, char buf[32]);

/*
 * A copy of the JSON text json with every non-integer number (one with a
 * fraction or an exponent) respelt by numfmt_shortest; strings, integers and
 * layout are left exactly as they were, and text that is not JSON is copied
 * as it is. Never fails; caller frees. NULL gives NULL.
 */
char *numfmt_json(const char *json);

#endif
