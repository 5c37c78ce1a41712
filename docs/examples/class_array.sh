#!/usr/bin/env bash
# Check a class as a Slurm job array: each job checks its own share of the submissions
# (--shard I/N, a stable split by path) and appends each result to its own JSON Lines file as
# soon as it is judged. A job that is preempted and re-queued resumes (--resume): it skips
# what it finished. When all jobs are done, join them:
#   crosscheck verify --merge results/shard-*.jsonl --csv results/class.csv --class-page results/class.html
# Submit:   sbatch --array=1-4 class_array.sh        (a CI matrix: set the two variables below)
#SBATCH --job-name=crosscheck-class
#SBATCH --cpus-per-task=2
#SBATCH --time=02:00:00
set -euo pipefail
CLASS=${CLASS:-submissions}                  # the folder of students' .py files
OUT=${OUT:-results}
CROSSCHECK=${CROSSCHECK:-crosscheck}         # e.g. "python -m crosscheck"
I=${SLURM_ARRAY_TASK_ID:?run under sbatch --array=1-N, or set SLURM_ARRAY_TASK_ID}
N=${SLURM_ARRAY_TASK_COUNT:?run under sbatch --array=1-N, or set SLURM_ARRAY_TASK_COUNT}
mkdir -p "$OUT"
# exit 1 means "some student is wrong": the job itself succeeded. 2 (bad input), 3 (a bug in
# crosscheck) and 130 (interrupted) fail the job.
$CROSSCHECK verify "$CLASS/*.py:nnCostFunction" --shard "$I/$N" --jsonl "$OUT/shard-$I.jsonl" --resume \
    --feedback "$OUT/feedback" -j "${SLURM_CPUS_PER_TASK:-2}" > "$OUT/shard-$I.txt" || [ $? -eq 1 ]
