/* uselib.c -- calls into libdemo.so. */
#include <stdio.h>

int demo_twice(int);

int
main(void)
{
	printf("twice %d\n", demo_twice(21));
	return 0;
}
