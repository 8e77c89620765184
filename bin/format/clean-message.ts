/**
 * A cloud or SDK error message as one readable line: newlines collapsed, the request line the Tea SDK
 * glues on (`...127.0.0.1:1POST http://... failed.`) set apart, and the cloud's echo of its string to sign
 * dropped (long, and of no use to a reader). Pure.
 */
export function cleanMessage(text: string): string {
  return text
    .replace(/\s*server string to sign is:[\s\S]*$/i, '')
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/(\S)((?:GET|POST|PUT|DELETE|HEAD) https?:\/\/\S+ failed\.?)/g, '$1 ($2)')
    .trim();
}
