#!/bin/sh
# Stands in for lattigo-sim in the launcher's unit tests: logs its arguments to
# stderr (the launcher's log file) and behaves as its last argument says.
echo "$*" >&2
for mode; do :; done
case "$mode" in
ready) echo "listening on 127.0.0.1:43210"; exec sleep 600 ;;
wildcard) echo "listening on 0.0.0.0:5000"; exec sleep 600 ;;
garbage) echo "hello there"; exec sleep 600 ;;
silent) exec sleep 600 ;;
*) exit 3 ;;
esac
