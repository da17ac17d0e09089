/**
 * Submits the Graph emulator's login dialog as its form would for a person who presses Continue,
 * and returns the callback URL it redirects the browser to.
 */
export async function continueInDialog(dialog: URL, facebookUserId: string): Promise<URL> {
  const form = new URLSearchParams(dialog.searchParams);
  form.set('action', 'continue');
  form.set('user_id', facebookUserId);
  const submitted = await fetch(`${dialog.origin}${dialog.pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  if (submitted.status !== 302) throw new Error(`the login dialog answered ${submitted.status}: ${await submitted.text()}`);
  return new URL(submitted.headers.get('location')!);
}
