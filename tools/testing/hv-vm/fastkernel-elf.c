// SPDX-License-Identifier: GPL-2.0
/*
 * fastkernel-elf - lay out an x86-64 vmlinux by physical address (helper of
 * mkfastkernel.sh).
 *
 *   fastkernel-elf VMLINUX OUT.raw
 *
 * Places every PT_LOAD segment's file bytes at (p_paddr - lowest p_paddr),
 * zero-fills the gaps, drops the trailing zero bytes (the stub zeroes memory up
 * to the kernel's end anyway), pads to a multiple of 16 bytes and prints shell
 * assignments:
 *   KDEST=    lowest p_paddr (where the image must be placed)
 *   KFILELEN= bytes written to OUT.raw
 *   KMEMEND=  highest p_paddr + p_memsz, rounded up to 4 KiB
 *   KENTRY=   e_entry (a physical address for x86-64 vmlinux)
 * This is what the kernel's own decompressor does with the ELF it unpacks.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "fastkernel-elf: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	FILE *f;
	unsigned char *elf, *img;
	long size;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	uint64_t lo = UINT64_MAX, memend = 0, fileend = 0, len;
	int i, nload = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: fastkernel-elf VMLINUX OUT.raw\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f)
		die("cannot open %s", argv[1]);
	size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET))
		die("cannot size %s", argv[1]);
	elf = malloc(size ? size : 1);
	if (!elf || fread(elf, 1, size, f) != (size_t)size)
		die("cannot read %s", argv[1]);
	fclose(f);

	eh = (Elf64_Ehdr *)elf;
	if (size < (long)sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		die("%s is not an x86-64 ELF executable", argv[1]);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > (uint64_t)size)
		die("%s: bad program headers", argv[1]);
	ph = (Elf64_Phdr *)(elf + eh->e_phoff);

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		nload++;
		if (ph[i].p_offset + ph[i].p_filesz > (uint64_t)size ||
		    ph[i].p_filesz > ph[i].p_memsz)
			die("%s: PT_LOAD segment outside the file", argv[1]);
		if (ph[i].p_paddr < lo)
			lo = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > memend)
			memend = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!nload)
		die("%s: no PT_LOAD segment", argv[1]);
	if (memend > 0xffffffffULL - 0x100000)
		die("%s: kernel does not fit below 4 GiB", argv[1]);
	if (eh->e_entry < lo || eh->e_entry >= memend)
		die("%s: entry point is not a physical address inside the image", argv[1]);
	memend = (memend + 0xfff) & ~0xfffULL;

	img = calloc(memend - lo, 1);
	if (!img)
		die("out of memory%s", "");
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		memcpy(img + (ph[i].p_paddr - lo), elf + ph[i].p_offset, ph[i].p_filesz);
		if (ph[i].p_paddr - lo + ph[i].p_filesz > fileend)
			fileend = ph[i].p_paddr - lo + ph[i].p_filesz;
	}
	/*
	 * Trailing zeros (bss stored as zeros, .init.scratch, ...) are not
	 * shipped: the stub clears [KDEST + KFILELEN, KMEMEND).
	 */
	while (fileend && !img[fileend - 1])
		fileend--;
	len = (fileend + 15) & ~15ULL;

	f = fopen(argv[2], "wb");
	if (!f || fwrite(img, 1, len, f) != len || fclose(f))
		die("cannot write %s", argv[2]);

	printf("KDEST=0x%llx\nKFILELEN=%llu\nKMEMEND=0x%llx\nKENTRY=0x%llx\n",
	       (unsigned long long)lo, (unsigned long long)len,
	       (unsigned long long)memend, (unsigned long long)eh->e_entry);
	return 0;
}
