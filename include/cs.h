/*
 * cs.h - attributes and small macros shared by every module.
 */
#ifndef COMMENTD_CS_H
#define COMMENTD_CS_H

#define CS_MUSTCHECK	__attribute__((warn_unused_result))
#define CS_PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define CS_NORETURN	__attribute__((noreturn))
#define CS_UNUSED	__attribute__((unused))

#define CS_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#endif
