/* SPDX-License-Identifier: MIT */
/* bench.h - the map-request workload of bench/gpuvm-bench.ts on drm_gpuvm. */
#ifndef GPUVM_DRIVER_BENCH_H
#define GPUVM_DRIVER_BENCH_H

/**
 * bench_run() - fill a VM with about @n VAs and time @requests map requests
 * (drm_gpuvm_sm_map_ops_create() + apply + drm_gpuva_ops_free()); prints one
 * JSON line with the results on standard output. Returns the exit status.
 */
int bench_run(unsigned long long n, unsigned long long requests,
	      unsigned long long seed);

#endif
