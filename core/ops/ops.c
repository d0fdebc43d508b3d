/* SPDX-License-Identifier: MIT */
/* The operator table and parameter parsing into canonical JSON. */
#include "core/ops/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/models/backend.h"
#include "core/ops/ops_impl.h"
#include "core/modelops/modelops.h"
#include "core/base/util.h"

#define P(n) (sizeof(n) / sizeof((n)[0]))

static const struct op_param mixgen_params[] = {
	{ "lambda", PARAM_FLOAT, 0, 1, "0.5", NULL, "weight of the candidate's own image" },
	{ "partner", PARAM_ID, 0, 0, "", NULL, "the second pair (default: a seeded choice)" },
};
static const struct op_param cutmix_params[] = {
	{ "caption", PARAM_ENUM, 0, 0, "concat", "concat|dominant",
	    "join both captions, or keep the one covering the larger area" },
	{ "partner", PARAM_ID, 0, 0, "", NULL, "the second pair (default: a seeded choice)" },
};
static const struct op_param rotate_params[] = {
	{ "max_angle", PARAM_FLOAT, 0, 180, "15", NULL, "angle drawn from U(-max, max) degrees" },
};
static const struct op_param crop_params[] = {
	{ "scale_min", PARAM_FLOAT, 0.05, 1, "0.5", NULL, "smallest area fraction kept" },
	{ "scale_max", PARAM_FLOAT, 0.05, 1, "1.0", NULL, "largest area fraction kept" },
};
static const struct op_param color_params[] = {
	{ "brightness", PARAM_FLOAT, 0, 1, "0.2", NULL, "factor drawn from U(1-b, 1+b)" },
	{ "contrast", PARAM_FLOAT, 0, 1, "0.2", NULL, "factor drawn from U(1-c, 1+c)" },
	{ "saturation", PARAM_FLOAT, 0, 1, "0.2", NULL, "factor drawn from U(1-s, 1+s)" },
	{ "hue", PARAM_FLOAT, 0, 0.5, "0.05", NULL, "shift drawn from U(-h, h) turns" },
};
static const struct op_param blur_params[] = {
	{ "sigma_min", PARAM_FLOAT, 0.1, 20, "0.1", NULL, "smallest Gaussian sigma (pixels)" },
	{ "sigma_max", PARAM_FLOAT, 0.1, 20, "2.0", NULL, "largest Gaussian sigma (pixels)" },
};
static const struct op_param noise_params[] = {
	{ "sigma", PARAM_FLOAT, 0, 128, "8", NULL, "standard deviation of the added noise" },
};
static const struct op_param jpeg_params[] = {
	{ "quality", PARAM_INT, 1, 100, "30", NULL, "JPEG quality of the re-encoding" },
};

static const struct op_param synonym_params[] = {
	{ "aug_p", PARAM_FLOAT, 0, 1, "0.3", NULL, "fraction of candidate words to replace" },
	{ "aug_min", PARAM_INT, 0, 100, "1", NULL, "replace at least this many" },
	{ "aug_max", PARAM_INT, 1, 100, "10", NULL, "replace at most this many" },
	{ "protect", PARAM_WORDS, 0, 0, "", NULL, "comma-separated words never replaced" },
	{ "protect_colours", PARAM_BOOL, 0, 1, "false", NULL,
	    "never replace colour words (red, green, ...)" },
	{ "protect_file", PARAM_TEXT, 0, 0, "", NULL,
	    "file of more words never replaced, one a line (identity words always are)" },
};
static const struct op_param hypernym_params[] = {
	{ "max_changes", PARAM_INT, 1, 100, "1", NULL, "nouns to generalise at most" },
	{ "protect", PARAM_WORDS, 0, 0, "", NULL, "comma-separated words never replaced" },
	{ "protect_file", PARAM_TEXT, 0, 0, "", NULL,
	    "file of more words never replaced, one a line (identity words always are)" },
	{ "stop", PARAM_WORDS, 0, 0, "", NULL,
	    "hypernyms too general to use, on top of the built-in list (entity, object, ...)" },
};
static const struct op_param eda_params[] = {
	{ "p_swap", PARAM_FLOAT, 0, 1, "0.1", NULL, "per-word chance of a swap" },
	{ "p_delete", PARAM_FLOAT, 0, 1, "0.1", NULL, "per-word chance of deletion" },
	{ "p_insert", PARAM_FLOAT, 0, 1, "0.1", NULL, "per-word chance of inserting a synonym" },
	{ "protect", PARAM_WORDS, 0, 0, "", NULL, "comma-separated words never moved or deleted" },
	{ "protect_file", PARAM_TEXT, 0, 0, "", NULL,
	    "file of more words never moved or deleted (identity words never are)" },
};

/*
 * Model-backed operators. Defaults follow the papers' released code
 * (LaCLIP, ALIA, SelTDA, LLaVA, CFT-CLIP); PARAM_BACKEND entries pick a
 * backend other than the role's default and stay out of the aug_id.
 */
#define R(role) (1 << (role))

static const struct op_param rewrite_params[] = {
	{ "k", PARAM_INT, 1, 16, "4", NULL, "rewrites per caption (LaCLIP: 4)" },
	{ "temperature", PARAM_FLOAT, 0, 2, "0.9", NULL, "sampling temperature" },
	{ "top_p", PARAM_FLOAT, 0, 1, "0.95", NULL, "nucleus sampling mass" },
	{ "max_tokens", PARAM_INT, 1, 1024, "77", NULL, "longest rewrite, in tokens" },
	{ "shots", PARAM_INT, 0, 16, "3", NULL, "example pairs per prompt" },
	{ "examples", PARAM_TEXT, 0, 0, "", NULL,
	    "file of \"source => target\" lines (default: the built-in pairs)" },
	{ "min_words", PARAM_INT, 1, 100, "2", NULL, "rewrites with fewer words are rejected" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the llm role)" },
};
static const struct op_param caption_params[] = {
	{ "k", PARAM_INT, 1, 16, "1", NULL, "captions per image" },
	{ "prompt", PARAM_TEXT, 0, 0, "", NULL, "instruction (default: a one-sentence caption)" },
	{ "temperature", PARAM_FLOAT, 0, 2, "0.2", NULL, "sampling temperature" },
	{ "max_tokens", PARAM_INT, 1, 1024, "77", NULL, "longest caption, in tokens" },
	{ "max_side", PARAM_INT, 64, 4096, "768", NULL, "downscale the image to fit first" },
	{ "vlm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the vlm role)" },
};
static const struct op_param counterfactual_params[] = {
	{ "entities", PARAM_TEXT, 0, 0, "person", NULL,
	    "entity types to replace, comma-separated (CFT-CLIP: person)" },
	{ "attempts", PARAM_INT, 1, 10, "3", NULL, "tries until the CLIP similarity drops" },
	{ "temperature", PARAM_FLOAT, 0, 2, "1.0", NULL, "sampling temperature" },
	{ "check", PARAM_ENUM, 0, 0, "auto", "auto|on|off",
	    "keep only if CLIP similarity drops (auto: when a clip backend exists)" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the llm role)" },
	{ "clip", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the clip role)" },
};
static const struct op_param instruct_params[] = {
	{ "type", PARAM_ENUM, 0, 0, "all", "all|conversation|detail|reasoning",
	    "LLaVA data type (all: one candidate of each)" },
	{ "temperature", PARAM_FLOAT, 0, 2, "0.7", NULL, "sampling temperature" },
	{ "max_tokens", PARAM_INT, 16, 4096, "1024", NULL, "longest reply, in tokens" },
	{ "instances", PARAM_TEXT, 0, 0, "", NULL, "COCO instances JSON for object boxes" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the llm role)" },
};
static const struct op_param vqa_gen_params[] = {
	{ "k", PARAM_INT, 1, 16, "1", NULL, "question-answer pairs per image" },
	{ "top_p", PARAM_FLOAT, 0, 1, "0.9", NULL, "nucleus sampling mass (SelTDA: 0.9)" },
	{ "temperature", PARAM_FLOAT, 0, 2, "1.0", NULL, "sampling temperature" },
	{ "max_tokens", PARAM_INT, 8, 1024, "64", NULL, "longest reply, in tokens" },
	{ "max_side", PARAM_INT, 64, 4096, "768", NULL, "downscale the image to fit first" },
	{ "vlm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the vlm role)" },
};
static const struct op_param alia_params[] = {
	{ "sample", PARAM_INT, 1, 1000, "20", NULL, "captions summarised into domains (ALIA: 20)" },
	{ "domains", PARAM_INT, 1, 10, "10", NULL, "domain descriptions at most" },
	{ "domains_file", PARAM_TEXT, 0, 0, "", NULL,
	    "one description per line: read when it exists, else written (edit, re-run)" },
	{ "mode", PARAM_ENUM, 0, 0, "img2img", "img2img|edit",
	    "img2img with strength, or an instruction edit" },
	{ "strength", PARAM_FLOAT, 0, 1, "0.5", NULL, "img2img denoising strength" },
	{ "guidance", PARAM_FLOAT, 0, 30, "7.5", NULL, "classifier-free guidance scale" },
	{ "image_guidance", PARAM_FLOAT, 0, 10, "1.2", NULL, "edit mode: image guidance" },
	{ "n", PARAM_INT, 1, 4, "1", NULL, "edits per image and domain" },
	{ "negatives", PARAM_TEXT, 0, 0,
	    "a photo of an object|a photo of geometric shapes|a photo|an image|a painting|"
	    "a cartoon|a black image", NULL, "semantic filter: prompts the edit must lose to" },
	{ "filter", PARAM_BOOL, 0, 1, "true", NULL,
	    "semantic filter (needs clip) and confidence filter (needs a classifier)" },
	{ "vlm", PARAM_BACKEND, 0, 0, "", NULL, "captioner (default: the vlm role)" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "domain writer (default: the llm role)" },
	{ "image", PARAM_BACKEND, 0, 0, "", NULL, "editor (default: the image role)" },
	{ "clip", PARAM_BACKEND, 0, 0, "", NULL, "semantic filter (default: the clip role)" },
	{ "classifier", PARAM_BACKEND, 0, 0, "", NULL,
	    "confidence filter (default: the classifier role)" },
};
static const struct op_param t2i_params[] = {
	{ "k", PARAM_INT, 1, 16, "1", NULL, "images per caption" },
	{ "rewrite", PARAM_BOOL, 0, 1, "false", NULL, "let the LLM enrich the caption first" },
	{ "width", PARAM_INT, 64, 2048, "512", NULL, "image width" },
	{ "height", PARAM_INT, 64, 2048, "512", NULL, "image height" },
	{ "steps", PARAM_INT, 0, 150, "0", NULL, "sampling steps (0: the backend's)" },
	{ "guidance", PARAM_FLOAT, 0, 30, "7.5", NULL, "classifier-free guidance scale" },
	{ "negative", PARAM_TEXT, 0, 0, "", NULL, "negative prompt" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "prompt writer (default: the llm role)" },
	{ "image", PARAM_BACKEND, 0, 0, "", NULL, "generator (default: the image role)" },
};
static const struct op_param inpaint_attr_params[] = {
	{ "box", PARAM_TEXT, 0, 0, "", NULL, "x,y,w,h in pixels (default: a box from instances)" },
	{ "object", PARAM_TEXT, 0, 0, "", NULL, "what the typed box holds" },
	{ "instances", PARAM_TEXT, 0, 0, "", NULL, "COCO instances JSON with the boxes" },
	{ "pick", PARAM_ENUM, 0, 0, "largest", "largest|random", "which box of an image" },
	{ "strength", PARAM_FLOAT, 0, 1, "0.75", NULL, "inpainting denoising strength" },
	{ "guidance", PARAM_FLOAT, 0, 30, "7.5", NULL, "classifier-free guidance scale" },
	{ "mask_blur", PARAM_INT, 0, 64, "4", NULL, "mask edge blur (pixels)" },
	{ "dilate", PARAM_INT, 0, 256, "8", NULL, "grow the box by this many pixels" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "attribute writer (default: the llm role)" },
	{ "image", PARAM_BACKEND, 0, 0, "", NULL, "inpainter (default: the image role)" },
};
static const struct op_param rationale_params[] = {
	{ "mode", PARAM_ENUM, 0, 0, "cot", "cot|pcot|mix",
	    "cot: QA-CoT; pcot: lecture and plan per skill first; mix: per skill, as tune "
	    "--mix-rationales chose" },
	{ "demos", PARAM_INT, 1, 20, "5", NULL, "demonstrations per skill for its lecture and plan" },
	{ "temperature", PARAM_FLOAT, 0, 2, "0", NULL, "sampling temperature (T-SciQ: 0)" },
	{ "max_tokens", PARAM_INT, 16, 4096, "512", NULL, "longest reply, in tokens (T-SciQ: 512)" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the llm role)" },
};
/* How code-switch and concept-mix choose a concept's counterpart from the map. */
#define CONCEPT_CHOICE_PARAMS                                                              \
	{ "max_distance", PARAM_INT, 0, 1000, "3", NULL, "farthest mapping used" },          \
	{ "pick", PARAM_ENUM, 0, 0, "nearest", "nearest|random",                             \
	    "the nearest counterpart (ties drawn) or any within max_distance" },
static const struct op_param code_switch_params[] = {
	{ "map", PARAM_TEXT, 0, 0, "", NULL,
	    "concept map file: source, target, distance[, concept|phrase|word] rows" },
	{ "concepts", PARAM_TEXT, 0, 0, "", NULL,
	    "concepts the map lacks, comma-separated, mapped by the LLM (needs --config)" },
	{ "level", PARAM_ENUM, 0, 0, "all", "all|concept|phrase|word",
	    "tier of map rows to switch (all: one candidate per tier)" },
	CONCEPT_CHOICE_PARAMS
	{ "culture", PARAM_TEXT, 0, 0, "Western", NULL,
	    "LLM fallback: the culture of the analogies (CultureMixup: Western)" },
	{ "temperature", PARAM_FLOAT, 0, 2, "0", NULL, "LLM fallback: sampling temperature" },
	{ "max_tokens", PARAM_INT, 16, 1024, "150", NULL,
	    "LLM fallback: longest reply (CultureMixup: 150)" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "fallback backend (default: the llm role)" },
};
static const struct op_param tool_instruct_params[] = {
	{ "tools", PARAM_TEXT, 0, 0, "", NULL,
	    "file of \"name: usage, arg, arg\" lines (default: 22 built-in visual tools)" },
	{ "instances", PARAM_TEXT, 0, 0, "", NULL, "COCO instances JSON for object boxes" },
	{ "image_name", PARAM_TEXT, 0, 0, "example.jpg", NULL,
	    "the image placeholder every image argument must be (GPT4Tools: example.jpg)" },
	{ "negatives", PARAM_TEXT, 0, 0, "", NULL,
	    "Alpaca-style JSON or JSONL of no-tool samples (instruction, input, output)" },
	{ "negative_ratio", PARAM_FLOAT, 0, 10, "1.0", NULL,
	    "no-tool samples per tool call (GPT4Tools: 1.0)" },
	{ "temperature", PARAM_FLOAT, 0, 2, "0.7", NULL, "sampling temperature (GPT4Tools: 0.7)" },
	{ "max_tokens", PARAM_INT, 16, 8192, "2048", NULL, "longest reply, in tokens" },
	{ "llm", PARAM_BACKEND, 0, 0, "", NULL, "backend (default: the llm role)" },
};
static const struct op_param concept_mix_params[] = {
	{ "map", PARAM_TEXT, 0, 0, "", NULL,
	    "concept map file: source, target, distance rows (as for code-switch)" },
	{ "concepts", PARAM_TEXT, 0, 0, "", NULL,
	    "folder of concept images, one sub-folder per concept (named as the map's targets)" },
	{ "box", PARAM_TEXT, 0, 0, "", NULL,
	    "x,y,w,h in pixels when the parent has no box of the concept" },
	{ "instances", PARAM_TEXT, 0, 0, "", NULL, "COCO instances JSON with the boxes" },
	{ "alpha", PARAM_FLOAT, 0, 1, "0.5", NULL, "weight of the pasted concept image" },
	CONCEPT_CHOICE_PARAMS
};

const struct op_def op_table[] = {
	{ "mixgen", 2, OP_PAIR, 2, 0, 0, "MixGen: blend two images, join their captions",
	    mixgen_params, P(mixgen_params), opimpl_mixgen, NULL, 0, "MixGen (WACVW 2023)",
	    OP_CLASS_MIX },
	{ "cutmix", 2, OP_PAIR, 2, 0, 0, "CutMix / Cut-Switch: paste a box of a second image",
	    cutmix_params, P(cutmix_params), opimpl_cutmix, NULL, 0, "CutMix (ICCV 2019), Cut-Switch (MM 2020)",
	    OP_CLASS_MIX },
	{ "hflip", 2, OP_IMAGE, 1, 0, 0, "mirror the image; swap left/right in the caption",
	    NULL, 0, opimpl_hflip, NULL, OP_UNSEEDED, NULL, OP_CLASS_GEOMETRIC },
	{ "rotate", 1, OP_IMAGE, 1, 0, 0, "rotate about the centre by a random angle",
	    rotate_params, P(rotate_params), opimpl_rotate, NULL, 0, NULL, OP_CLASS_GEOMETRIC },
	{ "crop", 1, OP_IMAGE, 1, 0, 0, "random resized crop back to the original size",
	    crop_params, P(crop_params), opimpl_crop, NULL, 0, NULL, OP_CLASS_GEOMETRIC },
	{ "color", 1, OP_IMAGE, 1, 0, 0, "random brightness, contrast, saturation and hue",
	    color_params, P(color_params), opimpl_color, NULL, 0, NULL, OP_CLASS_PHOTOMETRIC },
	{ "grayscale", 2, OP_IMAGE, 1, 0, 0, "ITU-R 601 luma", NULL, 0, opimpl_grayscale, NULL,
	    OP_UNSEEDED, NULL, OP_CLASS_PHOTOMETRIC },
	{ "blur", 1, OP_IMAGE, 1, 0, 0, "Gaussian blur with a random sigma",
	    blur_params, P(blur_params), opimpl_blur, NULL, 0, NULL, OP_CLASS_PHOTOMETRIC },
	{ "noise", 1, OP_IMAGE, 1, 0, 0, "additive Gaussian noise", noise_params, P(noise_params),
	    opimpl_noise, NULL, 0, NULL, OP_CLASS_PHOTOMETRIC },
	{ "jpeg", 2, OP_IMAGE, 1, 0, 0, "re-encode as a low-quality JPEG", jpeg_params,
	    P(jpeg_params), opimpl_jpeg, NULL, OP_UNSEEDED, NULL, OP_CLASS_PHOTOMETRIC },
	{ "synonym", 2, OP_TEXT, 1, 0, 1,
	    "replace content words by WordNet synonyms of their sense in the caption",
	    synonym_params, P(synonym_params), opimpl_synonym, NULL, 0, "nlpaug-style WordNet synonyms",
	    OP_CLASS_CAPTION },
	{ "hypernym", 2, OP_TEXT, 1, 0, 1,
	    "generalise nouns one step up WordNet (espresso -> coffee)",
	    hypernym_params, P(hypernym_params), opimpl_hypernym, NULL, 0, "CultureMixup concept ladder (EMNLP 2023)",
	    OP_CLASS_CAPTION },
	{ "eda", 2, OP_TEXT, 1, 0, 1, "EDA: random swap, deletion and synonym insertion",
	    eda_params, P(eda_params), opimpl_eda, NULL, 0, "EDA (EMNLP 2019)", OP_CLASS_CAPTION },
	{ "rewrite", 1, OP_TEXT, 1, R(ROLE_LLM), 0,
	    "LaCLIP: few-shot LLM rewrites of the caption", rewrite_params, P(rewrite_params),
	    opimpl_rewrite, opplan_rewrite, 0, "LaCLIP (NeurIPS 2023)", OP_CLASS_CAPTION },
	{ "caption", 1, OP_TEXT, 1, R(ROLE_VLM), 0, "a new caption of the image by a VLM",
	    caption_params, P(caption_params), opimpl_caption, opplan_caption, OP_NEEDS_PIXELS,
	    "BLIP-style captioning (ALIA, PromptMix)", OP_CLASS_CAPTION },
	{ "alia", 1, OP_IMAGE, 1, R(ROLE_IMAGE), 0,
	    "ALIA: LLM-summarised domains, img2img or instruction edits, CLIP filter",
	    alia_params, P(alia_params), opimpl_alia, opplan_alia, 0, "ALIA (NeurIPS 2023)",
	    OP_CLASS_GENERATIVE },
	{ "t2i", 1, OP_IMAGE, 1, R(ROLE_IMAGE), 0,
	    "PromptMix / GMDA: a new image generated from the caption", t2i_params,
	    P(t2i_params), opimpl_t2i, opplan_t2i, 0, "PromptMix (IJCNN 2023), GMDA (MM 2024)",
	    OP_CLASS_GENERATIVE },
	{ "inpaint-attr", 1, OP_IMAGE, 1, R(ROLE_LLM) | R(ROLE_IMAGE), 0,
	    "BiAug: an object's box inpainted with a new attribute, and a hard negative",
	    inpaint_attr_params, P(inpaint_attr_params), opimpl_inpaint_attr, opplan_inpaint_attr,
	    0, "BiAug (arXiv 2310.01330)", OP_CLASS_GENERATIVE },
	{ "counterfactual", 1, OP_TEXT, 1, R(ROLE_LLM), 0,
	    "CFT-CLIP: entities replaced to make a hard-negative caption", counterfactual_params,
	    P(counterfactual_params), opimpl_counterfactual, opplan_counterfactual,
	    OP_NEEDS_PIXELS, "CFT-CLIP (ACL 2024 Findings)", OP_CLASS_CAPTION },
	{ "instruct", 1, OP_TEXT, 1, R(ROLE_LLM), 0,
	    "LLaVA: conversation, detailed description, complex reasoning", instruct_params,
	    P(instruct_params), opimpl_instruct, opplan_instruct, 0, "LLaVA (NeurIPS 2023)",
	    OP_CLASS_CAPTION },
	{ "vqa-gen", 1, OP_TEXT, 1, R(ROLE_VLM), 0,
	    "SelTDA: question-answer pairs about the image from a VLM", vqa_gen_params,
	    P(vqa_gen_params), opimpl_vqa_gen, opplan_vqa_gen, OP_NEEDS_PIXELS,
	    "SelTDA (CVPR 2023)", OP_CLASS_CAPTION },
	{ "rationale", 1, OP_TEXT, 1, R(ROLE_LLM), 0,
	    "T-SciQ: a chain-of-thought rationale for a question with a known answer",
	    rationale_params, P(rationale_params), opimpl_rationale, opplan_rationale,
	    OP_ANY_PARENT, "T-SciQ (AAAI 2024)", OP_CLASS_CAPTION },
	{ "code-switch", 1, OP_TEXT, 1, 0, 0,
	    "CultureMixup: culture-specific concepts switched to mapped counterparts",
	    code_switch_params, P(code_switch_params), opimpl_code_switch, opplan_code_switch,
	    OP_BACKEND_OPTIONAL, "CultureMixup (EMNLP 2023)", OP_CLASS_CAPTION },
	{ "tool-instruct", 1, OP_TEXT, 1, R(ROLE_LLM), 0,
	    "GPT4Tools: one tool-use instruction per tool from the caption and boxes",
	    tool_instruct_params, P(tool_instruct_params), opimpl_tool_instruct,
	    opplan_tool_instruct, 0, "GPT4Tools (NeurIPS 2023)", OP_CLASS_CAPTION },
	{ "concept-mix", 1, OP_IMAGE, 1, 0, 0,
	    "CultureMixup: a picture of the mapped concept pasted over the concept's box",
	    concept_mix_params, P(concept_mix_params), opimpl_concept_mix, opplan_concept_mix, 0,
	    "CultureMixup (EMNLP 2023)", OP_CLASS_MIX },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, 0, NULL, 0 },
};

const struct op_class_def op_class_table[OP_CLASS_COUNT] = {
	{ "original", "the imported pairs" },
	{ "geometric", "pixels move: flips, rotations, crops" },
	{ "photometric", "pixels stay in place, their values change: colour, blur, noise, JPEG" },
	{ "generative", "a model paints or edits the image" },
	{ "caption", "the caption is rewritten, the image kept" },
	{ "mix", "two pairs combined: MixGen, CutMix" },
};

int
op_class_of(const char *name)
{
	const struct op_def *op;

	if (strcmp(name, "original") == 0)
		return OP_CLASS_ORIGINAL;
	return (op = op_find(name)) != NULL ? (int)op->cls : -1;
}

int
op_class_find(const char *name)
{
	for (int k = 0; k < OP_CLASS_COUNT; k++)
		if (strcmp(op_class_table[k].name, name) == 0)
			return k;
	return -1;
}

const struct op_def *
op_find(const char *name)
{
	for (const struct op_def *op = op_table; op->name != NULL; op++)
		if (strcmp(op->name, name) == 0)
			return op;
	return NULL;
}

int
op_param_index(const struct op_def *op, const char *name)
{
	for (int i = 0; i < op->nparams; i++)
		if (strcmp(op->params[i].name, name) == 0)
			return i;
	return -1;
}

static int
choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return 1;
		p += len + (bar != NULL);
	}
	return 0;
}

static int
set_value(const struct op_def *op, int i, const char *v, struct op_args *args, char **cause)
{
	const struct op_param *p = &op->params[i];
	char *end;
	double d;

	switch (p->type) {
	case PARAM_INT:
	case PARAM_FLOAT:
	case PARAM_BOOL:
		if (p->type == PARAM_BOOL) {
			if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
				d = 1;
			else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
			    strcmp(v, "no") == 0)
				d = 0;
			else
				return cause_set(cause, "%s: %s=%s: want true or false", op->name,
				    p->name, v);
			args->num[i] = d;
			return 0;
		}
		d = strtod(v, &end);
		if (*v == '\0' || *end != '\0' || !isfinite(d))
			return cause_set(cause, "%s: %s=%s: not a number", op->name, p->name, v);
		if (p->type == PARAM_INT && d != floor(d))
			return cause_set(cause, "%s: %s=%s: want a whole number", op->name, p->name,
			    v);
		if (d < p->min || d > p->max)
			return cause_set(cause, "%s: %s=%s: out of range %g..%g", op->name, p->name,
			    v, p->min, p->max);
		args->num[i] = d;
		return 0;
	case PARAM_ENUM:
		if (!choice_ok(p->choices, v))
			return cause_set(cause, "%s: %s=%s: want one of %s", op->name, p->name, v,
			    p->choices);
		/* FALLTHROUGH */
	case PARAM_ID:
	case PARAM_WORDS:
	case PARAM_TEXT:
	case PARAM_BACKEND:
		free(args->str[i]);
		args->str[i] = xstrdup(v);
		return 0;
	}
	return cause_set(cause, "%s: %s: unknown parameter type", op->name, p->name);
}

static int
param_is_text(enum param_type t)
{
	return t == PARAM_ENUM || t == PARAM_ID || t == PARAM_WORDS || t == PARAM_TEXT ||
	    t == PARAM_BACKEND;
}

/* Appends a JSON string with the few escapes parameter text can need. */
static void
json_str(char **buf, const char *s)
{
	char *out = xmalloc(strlen(s) * 6 + 3), *o = out;

	*o++ = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			*o++ = '\\', *o++ = (char)c;
		else if (c < 0x20)
			o += sprintf(o, "\\u%04x", c);
		else
			*o++ = (char)c;
	}
	*o++ = '"';
	*o = '\0';
	char *joined = xasprintf("%s%s", *buf, out);
	free(*buf);
	free(out);
	*buf = joined;
}

int
op_args_parse(const struct op_def *op, char *const *sets, size_t nsets, struct op_args *args,
    char **canonical, char **cause)
{
	char *json;

	memset(args, 0, sizeof *args);
	for (int i = 0; i < op->nparams; i++)
		if (set_value(op, i, op->params[i].def, args, cause) != 0)
			goto fail;
	for (size_t k = 0; k < nsets; k++) {
		const char *eq = strchr(sets[k], '=');
		if (eq == NULL) {
			cause_set(cause, "%s: %s: want KEY=VALUE", op->name, sets[k]);
			goto fail;
		}
		char *key = xstrndup(sets[k], (size_t)(eq - sets[k]));
		int i = op_param_index(op, key);
		if (i < 0) {
			cause_set(cause, "%s: unknown parameter %s (mmda ops lists them)", op->name,
			    key);
			free(key);
			goto fail;
		}
		free(key);
		if (set_value(op, i, eq + 1, args, cause) != 0)
			goto fail;
	}
	json = xstrdup("{");
	for (int i = 0, first = 1; i < op->nparams; i++) {
		const struct op_param *p = &op->params[i];
		if (p->type == PARAM_BACKEND)
			continue;
		char *next = xasprintf("%s%s", json, first ? "" : ",");
		first = 0;
		free(json);
		json = next;
		json_str(&json, p->name);
		next = xasprintf("%s:", json);
		free(json);
		json = next;
		if (param_is_text(p->type))
			json_str(&json, args->str[i]);
		else if (p->type == PARAM_BOOL)
			next = xasprintf("%s%s", json, args->num[i] != 0 ? "true" : "false");
		else
			/* %.17g round-trips a double, so one value has one spelling. */
			next = xasprintf("%s%.17g", json, args->num[i]);
		if (!param_is_text(p->type)) {
			free(json);
			json = next;
		}
	}
	*canonical = xasprintf("%s}", json);
	free(json);
	return 0;
fail:
	op_args_free(op, args);
	return -1;
}

void
op_args_free(const struct op_def *op, struct op_args *args)
{
	for (int i = 0; i < op->nparams && i < OP_MAX_PARAMS; i++) {
		free(args->str[i]);
		args->str[i] = NULL;
	}
}

void
op_output_free(struct op_output *out)
{
	image_free(&out->img);
	free(out->text);
	free(out->extra);
	free(out->backend);
	free(out->model);
	free(out->prompt);
	free(out->response_id);
	free(out->meta);
	free(out->filtered);
	memset(out, 0, sizeof *out);
}

void
op_plan_free(struct op_plan *p)
{
	for (int i = 0; p->variants != NULL && i < p->nvariants; i++)
		free(p->variants[i]);
	free(p->variants);
	free(p->note);
	if (p->state_free != NULL && p->state != NULL)
		p->state_free(p->state);
	memset(p, 0, sizeof *p);
}
