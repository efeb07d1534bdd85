"""The reference side of dataFrameClient.python.test.ts: influxdb-python's DataFrameClient
(Debian's python3-influxdb, with python3-pandas) writes and reads the frames the test
describes on stdin, and prints what happened as JSON on stdout."""
import json
import math
import sys

import pandas as pd
from influxdb import DataFrameClient
from influxdb.exceptions import InfluxDBClientError


def frame(spec):
    index = pd.to_datetime([int(t) for t in spec['time']], unit='ns', utc=True)
    columns = {}
    for column in spec['columns']:
        kind, values = column['kind'], column['values']
        if kind == 'float':
            columns[column['name']] = pd.Series([math.nan if v is None else v for v in values], dtype='float64')
        elif kind == 'int':
            columns[column['name']] = pd.Series(values, dtype='int64')
        elif kind == 'bool':
            columns[column['name']] = pd.Series(values, dtype='bool')
        else:
            columns[column['name']] = pd.Series(values, dtype='object')
    df = pd.DataFrame(columns)
    df.index = index
    return df


def cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def key(k):
    return k if isinstance(k, str) else [k[0], [list(pair) for pair in k[1]]]


def frames(result):
    return [
        {
            'key': key(k),
            'columns': list(df.columns),
            'dtypes': [str(t) for t in df.dtypes],
            'index': [int(t) for t in df.index.asi8],
            'values': {c: [cell(v) for v in df[c].tolist()] for c in df.columns},
        }
        for k, df in result.items()
    ]


def main():
    job = json.load(sys.stdin)
    client = DataFrameClient(job['host'], job['port'], database=job['database'])
    out = {'writes': [], 'reads': []}
    for write in job['writes']:
        try:
            client.write_points(frame(write['frame']), write['measurement'], **write['options'])
            out['writes'].append({'ok': True})
        except InfluxDBClientError as err:
            out['writes'].append({'ok': False, 'error': str(err)})
    for q in job['reads']:
        out['reads'].append(frames(client.query(q)))
    json.dump(out, sys.stdout)


main()
