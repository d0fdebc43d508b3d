/* SPDX-License-Identifier: MIT */
/*
 * Private to the command table: the handlers that live in the screens' own
 * command files (commands_tune.c, commands_jobs.c) and the helpers they share.
 */
#ifndef MMDA_COMMANDS_PRIV_H
#define MMDA_COMMANDS_PRIV_H

#include "tui/app.h"

/* Changes screen and repaints everything (a full clear also removes sixel). */
void switch_view(struct app *a, enum view_id v);
/* Moves the queue to position i and loads it. */
void move_to(struct app *a, size_t i);

void cmd_thresholds(struct app *a, const char *arg);
void cmd_cutoff_up(struct app *a, const char *arg);
void cmd_cutoff_down(struct app *a, const char *arg);
void cmd_metric_next(struct app *a, const char *arg);
void cmd_metric_prev(struct app *a, const char *arg);
void cmd_cutoff_up_coarse(struct app *a, const char *arg);
void cmd_cutoff_down_coarse(struct app *a, const char *arg);
void cmd_auto_tune(struct app *a, const char *arg);
void cmd_set_threshold(struct app *a, const char *arg);
void cmd_threshold_scope(struct app *a, const char *arg);
void cmd_apply_suggested(struct app *a, const char *arg);
void cmd_boundary(struct app *a, const char *arg);
void cmd_augment_screen(struct app *a, const char *arg);
void cmd_aug_next_op(struct app *a, const char *arg);
void cmd_aug_prev_op(struct app *a, const char *arg);
void cmd_aug_next_param(struct app *a, const char *arg);
void cmd_aug_set(struct app *a, const char *arg);
void cmd_aug_run(struct app *a, const char *arg);
void cmd_aug_run_all(struct app *a, const char *arg);
void cmd_aug_cancel(struct app *a, const char *arg);
void cmd_export_screen(struct app *a, const char *arg);
void cmd_ex_next(struct app *a, const char *arg);
void cmd_ex_prev(struct app *a, const char *arg);
void cmd_ex_select(struct app *a, const char *arg);
void cmd_export_to(struct app *a, const char *arg);
void cmd_wait(struct app *a, const char *arg);
void cmd_filter(struct app *a, const char *arg);
void cmd_sort(struct app *a, const char *arg);
void cmd_mark(struct app *a, const char *arg);
void cmd_aug_run_marked(struct app *a, const char *arg);
/* tui/commands_nav.c */
void cmd_search(struct app *a, const char *arg);
void cmd_search_next(struct app *a, const char *arg);
void cmd_caption_scroll(struct app *a, const char *arg);
void cmd_scores_page(struct app *a, const char *arg);
void cmd_full_text(struct app *a, const char *arg);
void cmd_help_down(struct app *a, const char *arg);
void cmd_help_up(struct app *a, const char *arg);
void cmd_help_page_down(struct app *a, const char *arg);
void cmd_help_page_up(struct app *a, const char *arg);
void cmd_list_top(struct app *a, const char *arg);
void cmd_list_bottom(struct app *a, const char *arg);
void cmd_list_page_down(struct app *a, const char *arg);
void cmd_list_page_up(struct app *a, const char *arg);

#endif
