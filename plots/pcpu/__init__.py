"""pcpu - the one package that reads pcpubench results.

Used by scripts/results-write.py (which writes a results directory) and
by every reader in plots/ (report, compare, findings, figures, effects,
kfacts, gplot). Standard library only; /usr/bin/python3.

  files     bounded reading, atomic writing, a script's exit status
  tidy      the tidy CSV contract (bench, params..., rep, metric, value,
            unit, status), parsed once for the writer and the readers
  read      a results directory: Run, Bench, MetricList, state
  rules     per-benchmark reading rules, headline and difference metrics
  labels    value orders, short keys (strategy abbreviations), sort keys
  stats     Stats, the U test and its exact-p bound, versus() (the
            base-versus-point cell)
  fmt       numbers and lines for 72 columns
  table     point labels that never wrap (Labels)
  plotspec  the plots of a benchmark, resolved from its rows
"""
