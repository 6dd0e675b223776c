/*
 * server.h - `commentd serve`: start-up, workers, signals, shutdown.
 */
#ifndef COMMENTD_SERVER_H
#define COMMENTD_SERVER_H

#include "config.h"

/* Runs until SIGTERM or SIGINT; returns the process exit status. */
int	server_run(const struct config *cfg);

#endif
