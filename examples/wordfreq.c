/*
 * wordfreq.c -- the demo's example program: counts the words of a few
 * built-in lines and prints the most frequent one.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORDS	64

struct word {
	char	text[32];
	int	count;
};

static struct word words[MAX_WORDS];
static int nwords;
int total;

static const char *lines[] = {
	"the quick brown fox jumps over the lazy dog",
	"the dog sleeps and the fox runs",
	"a fox is quick",
};

struct word *
count_word(const char *w, size_t len)
{
	int i;

	for (i = 0; i < nwords; i++) {
		if (strlen(words[i].text) == len &&
		    strncmp(words[i].text, w, len) == 0)
			break;
	}
	if (i == nwords) {
		if (nwords == MAX_WORDS || len >= sizeof(words[0].text))
			return NULL;
		memcpy(words[i].text, w, len);
		nwords++;
	}
	words[i].count++;
	total++;
	return &words[i];
}

static void
count_line(const char *line)
{
	const char *p = line, *start;

	while (*p != '\0') {
		while (*p != '\0' && !isalpha((unsigned char)*p))
			p++;
		start = p;
		while (isalpha((unsigned char)*p))
			p++;
		if (p > start)
			count_word(start, p - start);
	}
}

int
main(void)
{
	struct word *best = NULL;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		count_line(lines[i]);
	for (i = 0; i < (size_t)nwords; i++) {
		if (best == NULL || words[i].count > best->count)
			best = &words[i];
	}
	printf("%d words, %d distinct; most frequent: \"%s\" (%d times)\n",
	    total, nwords, best->text, best->count);
	return 0;
}
