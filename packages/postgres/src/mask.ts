// Connection strings carry passwords; nothing autotune prints may show one.

const URL_WITH_PASSWORD = /\b(postgres(?:ql)?:\/\/[^:/?#@\s]*:)([^@\s]*)@/gi;

/** Whether `value` is a PostgreSQL connection URL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value.trim());
}

/**
 * The connection string with its password replaced by `***`, in the user-info part and in a `password=`
 * query parameter: safe to print.
 *
 * @example maskConnectionString('postgres://ci:s3cret@db:5432/autotune') // 'postgres://ci:***@db:5432/autotune'
 */
export function maskConnectionString(url: string): string {
  return url.replace(URL_WITH_PASSWORD, '$1***@').replace(/([?&]password=)[^&#\s]*/gi, '$1***');
}

/**
 * `text` with every PostgreSQL URL's password masked, and every occurrence of the given secrets (the
 * password itself, as a driver error might quote it) replaced by `***`.
 */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = maskConnectionString(text);
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

/** The password of a connection URL (decoded), or undefined; for {@link maskSecrets}. */
export function passwordOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const fromQuery = parsed.searchParams.get('password');
    const pw = parsed.password ? decodeURIComponent(parsed.password) : fromQuery ?? undefined;
    return pw === '' ? undefined : pw;
  } catch {
    return undefined;
  }
}
