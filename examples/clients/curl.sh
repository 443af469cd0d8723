#!/usr/bin/env bash
# HTTP round trip with curl: write points, query them raw and aggregated, list names, delete.
set -euo pipefail
URL=${KAIROSDB_URL:-http://localhost:8080}
NOW=$(($(date +%s) * 1000))

curl -sS -f -X POST "$URL/api/v1/datapoints" -d "[
  {\"name\": \"example.cpu\", \"tags\": {\"host\": \"a\"},
   \"datapoints\": [[$((NOW - 2000)), 1], [$((NOW - 1000)), 2.5], [$NOW, 4]]},
  {\"name\": \"example.cpu\", \"tags\": {\"host\": \"b\"}, \"timestamp\": $NOW, \"value\": 7}
]"
echo "written"

curl -sS -f -X POST "$URL/api/v1/datapoints/query" -d '{
  "start_relative": {"value": 1, "unit": "hours"},
  "metrics": [{"name": "example.cpu", "tags": {"host": ["a", "b"]}}]
}'; echo

curl -sS -f -X POST "$URL/api/v1/datapoints/query" -d '{
  "start_relative": {"value": 1, "unit": "hours"},
  "metrics": [{"name": "example.cpu", "group_by": [{"name": "tag", "tags": ["host"]}],
               "aggregators": [{"name": "sum", "sampling": {"value": 1, "unit": "minutes"}}]}]
}'; echo

curl -sS -f -X POST "$URL/api/v1/datapoints/query/tags" -d '{"start_absolute": 0, "metrics": [{"name": "example.cpu"}]}'; echo
curl -sS -f "$URL/api/v1/metricnames?prefix=example."; echo
curl -sS -f -X DELETE "$URL/api/v1/metric/example.cpu" && echo "deleted"
