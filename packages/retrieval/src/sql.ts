// Recognises retrieval in SQL text: pgvector distance operators and PostgreSQL full-text search.

export interface SqlRetrieval {
  kind: 'vector' | 'full_text';
  /** Results asked for: the query's last LIMIT (a literal, or a `$n` parameter resolved from `values`). */
  topK?: number;
  /** First table of the FROM clause, unquoted. */
  table?: string;
}

// pgvector: L2 `<->`, inner product `<#>`, cosine `<=>`, L1 `<+>`, Hamming `<~>`, Jaccard `<%>`.
const VECTOR_OPERATOR = /<(?:->|#>|=>|\+>|~>|%>)/;
const FULL_TEXT = /@@|\bts_rank(?:_cd)?\s*\(/i;
// Literals and comments go first, so an operator inside a string is not mistaken for a search.
const LITERALS_AND_COMMENTS = /'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g;
const LIMIT = /\blimit\s+(\d+|\$\d+)/gi;
const FROM_TABLE = /\bfrom\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/i;
// Cheap test before any regex work: most queries are not retrieval.
const MAYBE = /<[-#=+~%]>|@@|ts_rank/i;

/** The retrieval a SELECT performs, or undefined when it is not one. */
export function classifyRetrievalSql(text: string, values?: readonly unknown[]): SqlRetrieval | undefined {
  if (!MAYBE.test(text)) return undefined;
  const sql = text.replace(LITERALS_AND_COMMENTS, "''");
  if (!/^\s*(?:\(\s*)*(?:select|with)\b/i.test(sql)) return undefined;
  const kind = VECTOR_OPERATOR.test(sql) ? 'vector' : FULL_TEXT.test(sql) ? 'full_text' : undefined;
  if (!kind) return undefined;
  const result: SqlRetrieval = { kind };
  const topK = lastLimit(sql, values);
  if (topK !== undefined) result.topK = topK;
  const table = FROM_TABLE.exec(sql)?.[1];
  if (table) result.table = table.replace(/"/g, '');
  return result;
}

function lastLimit(sql: string, values: readonly unknown[] | undefined): number | undefined {
  let last: string | undefined;
  for (const m of sql.matchAll(LIMIT)) last = m[1];
  if (last === undefined) return undefined;
  const n = last.startsWith('$') ? Number(values?.[Number(last.slice(1)) - 1]) : Number(last);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
