/**
 * `--help` texts of the tool and of each subcommand.
 */

export const TOOL_HELP = `gpuvm-check: property-based verification and fuzzing of GPU VA managers (drm_gpuvm kind)

Usage: gpuvm-check <command> [options]

Commands:
  fuzz       run a fuzz campaign; failures are minimised and saved to the corpus
  replay     replay trace files against a subject and the reference model
  minimize   delta-debug a failing trace down to a minimal one
  check      the CI gate: replay the corpus, then a fixed-seed time-boxed campaign
  zoo        run the fault zoo (injected faults that must be caught)
  bench      performance of the manager and of the harness
  serve      serve a subject over the subject protocol on stdin/stdout
  conform    check that a subject program follows the subject protocol
  kernel     build the kernel subject from a kernel tree (kernel build --tree PATH)
  export     export traces as a KUnit test suite for drm_gpuvm (export kunit FILE...)

Subjects (--subject): builtin:gpuvm (default), builtin:model, a path to a .ts/.js
module whose default export is a SubjectFactory, exec:PROGRAM ARGS... for a program
speaking the subject protocol (docs/subject-protocol.md), or kernel:PATH for the
drm_gpuvm.c of a kernel tree (see gpuvm-check kernel --help).

Exit status: 0 success, 1 a failure was found, 2 bad usage or input.
Run 'gpuvm-check <command> --help' for the options of a command.`;

export const FUZZ_HELP = `Usage: gpuvm-check fuzz [options]

Run a fuzz campaign against a subject. A failing run is never shrunk in the
campaign: its symptom (invariant, command kind, the reason without its numbers)
is looked up at once. A known finding (--known) or a bug already saved only
counts a hit; a new symptom is minimised once, merged with the saved bug whose
minimal trace it reproduces (both ways), or else saved to the output directory
as <invariant>-<hash>.json. The campaign goes on to its budget.

Options:
  --subject S    builtin:gpuvm (default), builtin:model, a module path, or
                 exec:PROGRAM ARGS... (a program speaking docs/subject-protocol.md)
  --step-timeout D  time limit of one request to an exec: subject (default 10s)
  --seed N       campaign seed (integer); the same seed and --runs reproduce a run
                 exactly (default: a random seed, printed)
  --time D       stop after D (e.g. 500ms, 30s, 2m, 1h; default 60s unless --runs)
  --runs N       stop after N property runs (with --time: whichever comes first)
  --workers K    worker threads on disjoint seed streams (default: number of cores)
  --out DIR      where failures are saved (default corpus/)
  --max-commands N  longest command sequence a run generates (engine default if absent)
  --known FILE   known findings (gpuvm-findings/1): recognised, counted, never saved
  --stop-on-first  stop at the first new failure (= --max-failures 1)
  --max-failures N stop once N new failures are saved (default: go on to the budget)
  --json         print the summary as one JSON object on the last line of stdout
  --quiet        no progress on stderr
  -h, --help     this help

Ctrl-C stops the campaign after the batches in flight and still saves what was found.
Exit status: 0 no new failure (known findings only), 1 new failures found and saved,
2 bad usage or input.`;

export const REPLAY_HELP = `Usage: gpuvm-check replay FILE... [options]

Replay trace files step by step against a subject and the reference model,
checking every invariant after every step.

Options:
  --subject S    builtin:gpuvm (default), builtin:model, a module path, or
                 exec:PROGRAM ARGS... (a program speaking docs/subject-protocol.md)
  --step-timeout D  time limit of one request to an exec: subject (default 10s)
  -v, --verbose  print every step with its observation and ops
  --json         print the result as one JSON object on the last line of stdout
  -h, --help     this help

Exit status: 0 all pass, 1 a violation, 2 bad input.`;

export const MINIMIZE_HELP = `Usage: gpuvm-check minimize FILE [options]

Delta-debug a failing trace: remove commands (ddmin, 1-minimal), then simplify
every linked value at once (scale to pages, close gaps, shift down, round) and
fields one at a time (smaller ranges and offsets, fewer objects, default 'via',
no injected failures, a plainer VM) while it keeps failing the same way (the same
invariant at the same kind of command, the same symptom). A page-aligned trace
stays page-aligned.

Options:
  --subject S    builtin:gpuvm (default), builtin:model, a module path, or
                 exec:PROGRAM ARGS... (a program speaking docs/subject-protocol.md)
  --step-timeout D  time limit of one request to an exec: subject (default 10s)
  -o, --out OUT  where to write the result (default: FILE with .min.json beside it)
  --json         print the result as one JSON object on the last line of stdout
  -h, --help     this help

Exit status: 0 written, 1 could not reduce, 2 bad input or the trace does not fail.`;

export const CHECK_HELP = `Usage: gpuvm-check check [options]

The CI gate. Replays every trace in the corpus (each is a regression test and
must pass against the subject, whatever meta.subject says), then runs a
fixed-seed, time-boxed campaign. With --known, known findings pass and only a
new failure fails the gate. A trace that uses what the subject lacks (say
find_prev on a 7.x kernel) is skipped, with a SKIP line naming the command.

Options:
  --subject S    builtin:gpuvm (default), builtin:model, a module path, or
                 exec:PROGRAM ARGS... (a program speaking docs/subject-protocol.md)
  --step-timeout D  time limit of one request to an exec: subject (default 10s)
  --corpus DIR   the corpus directory (default corpus/)
  --time D       length of the campaign (default 60s)
  --runs N       bound the campaign by runs instead (with --time: whichever first)
  --seed N       campaign seed (default 1)
  --workers K    worker threads (default: number of cores)
  --out DIR      save campaign failures there (default: not saved; printed)
  --max-commands N  longest command sequence a run generates (engine default if absent)
  --known FILE   known findings: corpus traces and campaign failures that match one pass
  --stop-on-first, --max-failures N  stop the campaign early (as for fuzz)
  --junit FILE   write JUnit XML (one test case per corpus trace + the campaign)
  --json         print the result as one JSON object on the last line of stdout
  --quiet        no progress on stderr
  -h, --help     this help

Exit status: 0 pass, 1 a violation, 2 bad usage or input.`;

export const BENCH_HELP = `Usage: gpuvm-check bench [options]

Run the benchmarks (bench/run.ts) and print their results. Options are passed on
to bench/run.ts (e.g. --json).`;

export const SERVE_HELP = `Usage: gpuvm-check serve [--subject S]

Serve an in-process subject over the subject protocol (docs/subject-protocol.md,
gpuvm-subject/1): one JSON request a line on standard input, one reply a line on
standard output. Anything the subject prints goes to standard error. An exception of
the subject's exec or snapshot becomes a "threw" reply. It is the reference
implementation for subject authors; a harness runs it as
  --subject 'exec:gpuvm-check serve --subject S'

Options:
  --subject S    builtin:gpuvm (default), builtin:model, a module path, or
                 exec:PROGRAM ARGS... (a program speaking docs/subject-protocol.md)
  -h, --help     this help

Exit status: 0 after close or the end of the input, 2 bad usage or a request it
cannot read (named on standard error).`;

export const KERNEL_HELP = `Usage: gpuvm-check kernel build --tree PATH [--sanitize] [--json] [--quiet]
       gpuvm-check kernel zoo --tree PATH [FAULT...] [--seed N] [--budget D] [--save DIR] [--json]

Build the kernel subject: the tree's drivers/gpu/drm/drm_gpuvm.c and
tools/lib/rbtree.c, compiled in place in userspace against gpuvm-check's compat
headers and linked with its driver (kernel/), into a program that speaks the
subject protocol. Prints the tree's version, the drm_gpuvm API variants the
probes found, the compiler and the --subject spec to use. Builds are cached
(.cache/kernel-build/, or $GPUVM_CHECK_CACHE/kernel-build/) by a hash of the
tree files used, gpuvm-check's C sources, the compiler and the flags.

Then use it wherever a subject is accepted: --subject kernel:PATH (built on first
use); kernel:PATH?sanitize for the sanitizer build, kernel:PATH?kmalloc-fail=K to make
the K-th kmalloc of every ops-mode map / unmap fail. The VM modes (immediate,
resvProtected) come from each trace's header. A bare version (kernel:7.3) names the tree
scripts/fetch-kernel-trees.sh extracts (.cache/kernel/linux-7.3).

kernel zoo: the kernel fault zoo. Each fault (src/kernel/zoo-catalog.ts) is a one-line
edit of drm_gpuvm.c, made in a scratch copy of the tree; a short campaign against
the edited tree must find a failure the unmodified tree does not have (failures it
shares are its known findings: counted, skipped). Prints one table row per fault.

Options:
  --tree PATH    the top directory of a kernel tree (6.8 to 7.3)
  --sanitize     build with AddressSanitizer and UndefinedBehaviorSanitizer
                 (-fno-sanitize-recover: a report aborts the program)
  --seed N       zoo: the campaign seed of every fault (default 1)
  --budget D     zoo: time budget of each fault's campaign (default 20s)
  --save DIR     zoo: save each fault's minimised trace as DIR/<fault>.json
  --json         print the result as one JSON object on the last line of stdout
  --quiet        no progress on stderr
  -h, --help     this help

Exit status: 0 built (or cached) / every fault found, 1 a fault not found, 2 bad
usage, not a kernel tree, no drm_gpuvm.c, no C compiler, a compile error or an
unknown API variant (one line naming it).`;

export const CONFORM_HELP = `Usage: gpuvm-check conform --subject exec:PROGRAM ARGS... [options]

Check that a subject program follows the subject protocol (docs/subject-protocol.md):
the handshake, requests with fields it does not know, a reset it cannot set up, close
and the end of input, then a battery of traces (every command kind and mode it claims,
the fifteen documented split/merge cases, errno replies, u64 edges) replayed against
the reference model with every invariant. Each mistake is named precisely: the
request, the field, what was expected, the reply line.

Options:
  --subject S        exec:PROGRAM ARGS... (required)
  --step-timeout D   time limit of one request (default 10s)
  --json             print the result as one JSON object on the last line of stdout
  -h, --help         this help

Exit status: 0 no problem, 1 problems found (or a failed handshake), 2 bad usage
(including a program that cannot be started).`;

export const EXPORT_HELP = `Usage: gpuvm-check export kunit FILE... [options]

Export traces as one KUnit test file for drivers/gpu/drm/tests/: one KUNIT_CASE
per trace (drm_test_gpuvm_<file name>), each running the trace's commands through
drm_gpuvm's public API the way the harness's driver does and checking, after every
command, what the reference model says: the result, the ops, the VAs, each
object's vm_bo and its references, the extobj and evict lists. A trace that
exposes an upstream bug gives a case that fails at that command.

Options:
  -o, --output OUT  write the file (or patch) to OUT, atomically (default: stdout)
  --suite NAME      the kunit_suite's name, a C identifier (default drm_gpuvm)
  --tree PATH       the kernel tree whose drm_gpuvm API the test is written for
                    (probed: map_req struct or not, obtain vs obtain_locked,
                    find_prev present or not, ...); a version (6.12, 7.3) names a
                    known variant without a tree; default: the newest (7.3)
  --license SPDX    the SPDX line (default "GPL-2.0-only OR MIT", like drm_gpuvm.c);
                    MODULE_LICENSE follows it; it must be GPL-2.0 compatible
  --patch           write a git-format patch against --tree instead: the file,
                    a DRM_GPUVM_KUNIT_TEST Kconfig option, its Makefile and
                    .kunitconfig lines (apply with git am -s)
  --run             also build the test in userspace against --tree's drm_gpuvm.c
                    (no kernel build) and run it; each case must agree with the
                    harness's verdict on its trace against kernel:PATH (pass,
                    fail at the same command, or skip)
  --sanitize        with --run: build with AddressSanitizer and UBSan
  -v, --verbose     with --run: print the KTAP report
  --json            print the result as one JSON object on the last line of stdout
  -h, --help        this help

Exit status: 0 written (with --run: every case agrees with the harness), 1 a case
disagrees with the harness or the test has compiler warnings, 2 bad usage or input
(a trace that does not parse, an unknown --tree variant, a tree without the files a
patch needs, an unwritable output): one line naming it, nothing written.`;
