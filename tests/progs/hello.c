/* hello.c -- a loop calling a function: breakpoints, step, finish. */
#include <stdio.h>
#include <stdlib.h>

volatile int counter;

int
add(int a, int b)
{
	int sum = a + b;

	counter++;
	return sum;
}

int
main(int argc, char **argv)
{
	int i, s = 0, n = argc > 1 ? atoi(argv[1]) : 3;

	for (i = 0; i < n; i++)
		s = add(s, i);
	printf("sum %d\n", s);
	return argc > 2 ? atoi(argv[2]) : 0;
}
