/*
 * The analyser in C: archive_text_vectors_native(text, weight) gives what the SQL function
 * archive_text_vectors_sql gives for the same text (archive/search/sql.py): the weighted
 * vector of the text (at each word's position '=' + its exact form, its stem and its alt) and the
 * readings of its pairs of adjacent words.
 *
 * Why: the SQL analyser spends most of its time in regular expressions, and an import was
 * bound by it; this one is over ten times faster (bench/RESULTS.md).
 *
 * The rules (folds, marks, word characters, stop words, articles, suffixes, proclitics) are
 * not written here: build.py generates rules.h from archive/search/rules.py, the one table
 * that the SQL and the Python are made from. What PostgreSQL does in the SQL analyser, it does here
 * too: lower() under the call's collation, NFKC, setweight(). The vector is built directly, as
 * tsvectorin builds it from the SQL's text (lexemes sorted, positions sorted, cut to 16,383,
 * without repeats, at most 256); a text tsvectorin would refuse goes through tsvectorin, for
 * the same error. archive/tests/search/test_native_analyser.py checks that both give the same.
 */
#include "postgres.h"

#include <string.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "tsearch/ts_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "rules.h"

PG_MODULE_MAGIC;

typedef struct
{
	int			pos;			/* the word's position, stop words counted */
	const char *exact;
	int			exact_len;		/* bytes */
	const char *stem;			/* stem and alt are parts of exact */
	int			stem_len;
	const char *alt;			/* NULL: no alt */
	int			alt_len;
} Term;

static int
utf8_chars(const char *s, int len)
{
	int			n = 0;

	for (int i = 0; i < len; i++)
		n += ((unsigned char) s[i] & 0xC0) != 0x80;
	return n;
}

static int
compare_words(const void *key, const void *item)
{
	const Rule *a = key;
	const Rule *b = item;
	int			c = memcmp(a->text, b->text, Min(a->len, b->len));

	return c != 0 ? c : a->len - b->len;
}

static bool
is_stop_word(const char *s, int len)
{
	Rule		key = {s, len, 0};

	return bsearch(&key, STOP_WORDS, lengthof(STOP_WORDS), sizeof(Rule), compare_words) != NULL;
}

static bool
starts_with(const char *s, int len, const Rule *rule)
{
	return len >= rule->len && memcmp(s, rule->text, rule->len) == 0;
}

/* SUFFIXES removed in order, each when MIN_STEM letters remain: the new length in bytes. */
static int
strip_suffixes(const char *s, int len)
{
	int			chars = utf8_chars(s, len);

	for (int i = 0; i < (int) lengthof(SUFFIXES); i++)
	{
		const Rule *suffix = &SUFFIXES[i];

		if (len >= suffix->len && memcmp(s + len - suffix->len, suffix->text, suffix->len) == 0
			&& chars - suffix->chars >= MIN_STEM)
		{
			len -= suffix->len;
			chars -= suffix->chars;
		}
	}
	return len;
}

static void
analyse_word(Term *term, const char *word, int len, int pos)
{
	int			chars = utf8_chars(word, len);
	const char *bare = word;
	int			bare_len = len;

	term->pos = pos;
	term->exact = word;
	term->exact_len = len;
	for (int i = 0; i < (int) lengthof(ARTICLES); i++)
	{
		if (starts_with(word, len, &ARTICLES[i]) && chars - ARTICLES[i].chars >= MIN_STEM)
		{
			bare = word + ARTICLES[i].len;
			bare_len = len - ARTICLES[i].len;
			break;
		}
	}
	term->stem = bare;
	term->stem_len = strip_suffixes(bare, bare_len);
	term->alt = NULL;
	term->alt_len = 0;
	if (bare == word && chars - 1 >= MIN_STEM)
	{
		for (int i = 0; i < (int) lengthof(PROCLITICS); i++)
		{
			if (starts_with(word, len, &PROCLITICS[i]))
			{
				term->alt = word + PROCLITICS[i].len;
				term->alt_len = strip_suffixes(term->alt, len - PROCLITICS[i].len);
				break;
			}
		}
	}
}

/* A lexeme in tsvector's input syntax. Normalised words hold no quote or backslash; they are
 * escaped anyway, so that no input can change the vector's syntax. */
static void
append_lexeme(StringInfo out, const char *s, int len, int pos)
{
	appendStringInfoChar(out, '\'');
	for (int i = 0; i < len; i++)
	{
		if (s[i] == '\'' || s[i] == '\\')
			appendStringInfoChar(out, '\\');
		appendStringInfoChar(out, s[i]);
	}
	appendStringInfo(out, "':%d ", pos);
}

static Datum
pair_text(const char *a, int a_len, const char *b, int b_len)
{
	text	   *pair = palloc(VARHDRSZ + a_len + PAIR_MARK_LEN + b_len);
	char	   *data = VARDATA(pair);

	SET_VARSIZE(pair, VARHDRSZ + a_len + PAIR_MARK_LEN + b_len);
	memcpy(data, a, a_len);
	memcpy(data + a_len, PAIR_MARK, PAIR_MARK_LEN);
	memcpy(data + a_len + PAIR_MARK_LEN, b, b_len);
	return PointerGetDatum(pair);
}

/* --- normalisation: archive_normalize's steps, in its order ------------------------------ */

static bool
in_ranges(pg_wchar c, const pg_wchar ranges[][2], int count)
{
	for (int i = 0; i < count; i++)
	{
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return true;
	}
	return false;
}

static int
compare_folds(const void *key, const void *item)
{
	pg_wchar	a = *(const pg_wchar *) key;
	pg_wchar	b = ((const Fold *) item)->from;

	return a < b ? -1 : a > b;
}

static bool
is_digit(pg_wchar c)
{
	return c >= '0' && c <= '9';
}

static bool
is_separator(pg_wchar c)
{
	for (int i = 0; i < (int) lengthof(THOUSANDS_SEPARATORS); i++)
	{
		if (c == THOUSANDS_SEPARATORS[i])
			return true;
	}
	return false;
}

/*
 * The text as the index sees it (archive_normalize): compatibility forms (NFKC) where the text
 * has any, lower case (PostgreSQL's lower(), under the same collation), the letters folded and
 * the marks deleted, thousands separators between digits taken out, and anything but the
 * letters and digits of WORD_RANGES made one space between words.
 */
static char *
normalise(text *input, Oid collation, int *out_len)
{
	Datum		t = PointerGetDatum(input);
	const unsigned char *s = (const unsigned char *) VARDATA_ANY(input);
	int			len = VARSIZE_ANY_EXHDR(input);
	pg_wchar   *chars;
	int			count = 0;
	char	   *out;
	int			n = 0;
	bool		space = false;
	text	   *lowered;

	for (int i = 0; i < len; i += pg_utf_mblen(s + i))
	{
		if (in_ranges(utf8_to_unicode(s + i), NFKC_RANGES, lengthof(NFKC_RANGES)))
		{
			t = DirectFunctionCall2Coll(unicode_normalize_func, collation, t,
										CStringGetTextDatum("NFKC"));
			break;
		}
	}
	lowered = DatumGetTextPP(DirectFunctionCall1Coll(lower, collation, t));
	s = (const unsigned char *) VARDATA_ANY(lowered);
	len = VARSIZE_ANY_EXHDR(lowered);

	chars = palloc(sizeof(pg_wchar) * (len + 1));
	for (int i = 0; i < len; i += pg_utf_mblen(s + i))
	{
		pg_wchar	c = utf8_to_unicode(s + i);
		const Fold *fold = c < FOLDS[0].from ? NULL :
			bsearch(&c, FOLDS, lengthof(FOLDS), sizeof(Fold), compare_folds);

		if (fold == NULL)
			chars[count++] = c;
		else if (fold->to != 0)
			chars[count++] = fold->to;
	}

	out = palloc(count * MAX_MULTIBYTE_CHAR_LEN + 1);
	for (int i = 0; i < count; i++)
	{
		pg_wchar	c = chars[i];

		if (is_separator(c) && i > 0 && is_digit(chars[i - 1]) && i + 3 < count
			&& is_digit(chars[i + 1]) && is_digit(chars[i + 2]) && is_digit(chars[i + 3])
			&& (i + 4 == count || !is_digit(chars[i + 4])))
			continue;
		if (!in_ranges(c, WORD_RANGES, lengthof(WORD_RANGES)))
		{
			space = true;
			continue;
		}
		if (space && n > 0)
			out[n++] = ' ';
		space = false;
		unicode_to_utf8(c, (unsigned char *) out + n);
		n += pg_utf_mblen((unsigned char *) out + n);
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* A lexeme at a position, before the vector is made. */
typedef struct
{
	const char *text;
	int			len;
	int			pos;
} Entry;

static bool
same_lexeme(const Entry *a, const Entry *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

static int
compare_entries(const void *va, const void *vb)
{
	const Entry *a = va;
	const Entry *b = vb;
	int			c = memcmp(a->text, b->text, Min(a->len, b->len));

	if (c != 0)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->pos - b->pos;
}

/*
 * The tsvector that tsvectorin makes of these lexemes at these positions: lexemes sorted
 * bytewise, each one's positions sorted, cut to 16,383, without repeats and no more than 256
 * of them. Built directly: parsing text costs PostgreSQL more than the analysis itself.
 */
static TSVector
make_vector(Entry *entries, int count)
{
	int			lexemes = 0;
	int			size = 0;
	TSVector	vector;
	WordEntry  *words;
	char	   *data;
	int			offset = 0;

	if (count > 1)
		qsort(entries, count, sizeof(Entry), compare_entries);
	for (int i = 0; i < count; i++)
	{
		if (i == 0 || !same_lexeme(&entries[i], &entries[i - 1]))
			lexemes++;
	}
	/* space: each lexeme, aligned, then its positions (at most MAXNUMPOS) and their count */
	for (int i = 0; i < count;)
	{
		int			j = i;
		int			positions = 0;
		int			last = -1;

		while (j < count && same_lexeme(&entries[j], &entries[i]))
		{
			int			pos = LIMITPOS(entries[j].pos);

			if (pos != last && positions < MAXNUMPOS)
				positions++;
			last = pos;
			j++;
		}
		size = SHORTALIGN(size + entries[i].len) + (positions + 1) * sizeof(WordEntryPos);
		i = j;
	}
	vector = palloc0(CALCDATASIZE(lexemes, size));
	SET_VARSIZE(vector, CALCDATASIZE(lexemes, size));
	vector->size = lexemes;
	words = ARRPTR(vector);
	data = STRPTR(vector);
	for (int i = 0, k = 0; i < count; k++)
	{
		int			j = i;
		uint16		positions = 0;
		WordEntryPos *list;
		int			last = -1;

		words[k].haspos = 1;
		words[k].len = entries[i].len;
		words[k].pos = offset;
		memcpy(data + offset, entries[i].text, entries[i].len);
		offset = SHORTALIGN(offset + entries[i].len);
		list = (WordEntryPos *) (data + offset + sizeof(uint16));
		while (j < count && same_lexeme(&entries[j], &entries[i]))
		{
			int			pos = LIMITPOS(entries[j].pos);

			if (pos != last && positions < MAXNUMPOS)
			{
				list[positions] = 0;
				WEP_SETPOS(list[positions], pos);
				positions++;
			}
			last = pos;
			j++;
		}
		memcpy(data + offset, &positions, sizeof(uint16));
		offset += (positions + 1) * sizeof(WordEntryPos);
		i = j;
	}
	Assert(offset == size);
	return vector;
}

PG_FUNCTION_INFO_V1(archive_text_vectors_native);

Datum
archive_text_vectors_native(PG_FUNCTION_ARGS)
{
	char		weight = PG_GETARG_CHAR(1);
	int			len;
	const char *s = normalise(PG_GETARG_TEXT_PP(0), PG_GET_COLLATION(), &len);
	Term	   *terms = palloc(sizeof(Term) * (len / 2 + 1));
	int			count = 0;
	int			pos = 0;
	int			start = 0;
	Entry	   *entries;
	int			entry_count = 0;
	char	   *marked;
	int			marked_len = 0;
	long		lexeme_bytes = 0;
	bool		too_large = false;
	StringInfoData vector_text;
	Datum		vector;
	Datum	   *pairs;
	int			pair_count = 0;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "archive_text_vectors_native must be declared with OUT parameters");

	/* The words, as string_to_array(t, ' ') WITH ORDINALITY gives them. */
	for (int i = 0; i <= len && len > 0; i++)
	{
		if (i == len || s[i] == ' ')
		{
			int			word_len = i - start;

			pos++;
			if (word_len > 0 && !is_stop_word(s + start, word_len))
				analyse_word(&terms[count++], s + start, word_len, pos);
			start = i + 1;
		}
	}

	/*
	 * The entries; a text whose vector tsvectorin would refuse (a word of 2 kB or more, over
	 * 1 MB of lexemes) goes through tsvectorin, for the same error.
	 */
	entries = palloc(sizeof(Entry) * (3 * count + 1));
	marked = palloc(len + count * EXACT_MARK_LEN + 1);
	for (int i = 0; i < count; i++)
	{
		Term	   *t = &terms[i];

		memcpy(marked + marked_len, EXACT_MARK, EXACT_MARK_LEN);
		memcpy(marked + marked_len + EXACT_MARK_LEN, t->exact, t->exact_len);
		entries[entry_count++] = (Entry) {marked + marked_len, EXACT_MARK_LEN + t->exact_len, t->pos};
		marked_len += EXACT_MARK_LEN + t->exact_len;
		entries[entry_count++] = (Entry) {t->stem, t->stem_len, t->pos};
		if (t->alt)
			entries[entry_count++] = (Entry) {t->alt, t->alt_len, t->pos};
		if (EXACT_MARK_LEN + t->exact_len >= MAXSTRLEN)
			too_large = true;
	}
	/* more than the vector can take: each lexeme, a position, a count and an alignment */
	for (int i = 0; i < entry_count; i++)
		lexeme_bytes += entries[i].len + 3 * sizeof(uint16);
	if (too_large || lexeme_bytes > MAXSTRPOS)
	{
		initStringInfo(&vector_text);
		for (int i = 0; i < entry_count; i++)
			append_lexeme(&vector_text, entries[i].text, entries[i].len, entries[i].pos);
		vector = DirectFunctionCall1(tsvectorin, CStringGetDatum(vector_text.data));
	}
	else
		vector = PointerGetDatum(make_vector(entries, entry_count));
	values[0] = DirectFunctionCall2(tsvector_setweight, vector, CharGetDatum(weight));

	/* Each reading of each two adjacent words (no stop word between). */
	pairs = palloc(sizeof(Datum) * (4 * count + 1));
	for (int i = 0; i + 1 < count; i++)
	{
		Term	   *t = &terms[i];
		Term	   *next = &terms[i + 1];

		if (next->pos != t->pos + 1)
			continue;
		pairs[pair_count++] = pair_text(t->stem, t->stem_len, next->stem, next->stem_len);
		if (t->alt)
			pairs[pair_count++] = pair_text(t->alt, t->alt_len, next->stem, next->stem_len);
		if (next->alt)
			pairs[pair_count++] = pair_text(t->stem, t->stem_len, next->alt, next->alt_len);
		if (t->alt && next->alt)
			pairs[pair_count++] = pair_text(t->alt, t->alt_len, next->alt, next->alt_len);
	}
	values[1] = PointerGetDatum(construct_array(pairs, pair_count, TEXTOID, -1, false,
												TYPALIGN_INT));

	tupdesc = BlessTupleDesc(tupdesc);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
