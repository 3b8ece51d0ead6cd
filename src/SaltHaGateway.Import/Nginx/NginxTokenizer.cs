using System.Text;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// Splits nginx config text into tokens the way ngx_conf_read_token does: whitespace separates words;
/// ';' '{' '}' are structure; '#' starts a comment only where a word could start; quotes group a word and
/// must be followed by whitespace, ';' or '{'; a backslash protects the next character; "${" stays inside
/// a word (variable syntax); '}' inside a word is an ordinary character.
/// </summary>
internal sealed class NginxTokenizer(string text, string file)
{
    private int _pos;
    private int _line = 1;

    public NginxToken Next()
    {
        SkipSpaceAndComments();
        if (_pos >= text.Length)
        {
            return new NginxToken(NginxTokenKind.EndOfFile, "", _line);
        }

        var ch = text[_pos];
        switch (ch)
        {
            case ';':
                _pos++;
                return new NginxToken(NginxTokenKind.Semicolon, ";", _line);
            case '{':
                _pos++;
                return new NginxToken(NginxTokenKind.BlockStart, "{", _line);
            case '}':
                _pos++;
                return new NginxToken(NginxTokenKind.BlockEnd, "}", _line);
            case '"':
            case '\'':
                return ReadQuoted(ch);
            default:
                return ReadWord();
        }
    }

    private void SkipSpaceAndComments()
    {
        while (_pos < text.Length)
        {
            var ch = text[_pos];
            if (ch == '#')
            {
                while (_pos < text.Length && text[_pos] != '\n')
                {
                    _pos++;
                }

                continue;
            }

            if (!IsSpace(ch))
            {
                return;
            }

            if (ch == '\n')
            {
                _line++;
            }

            _pos++;
        }
    }

    private NginxToken ReadQuoted(char quote)
    {
        var startLine = _line;
        var start = ++_pos;
        while (true)
        {
            if (_pos >= text.Length)
            {
                throw new NginxSyntaxException(file, _line, "", "unexpected end of file, expecting \";\" or \"}\"");
            }

            var ch = text[_pos];
            if (ch == '\n')
            {
                _line++;
            }

            if (ch == '\\' && _pos + 1 < text.Length)
            {
                if (text[_pos + 1] == '\n')
                {
                    _line++;
                }

                _pos += 2;
                continue;
            }

            if (ch == quote)
            {
                break;
            }

            _pos++;
        }

        var raw = text[start.._pos];
        _pos++;

        // nginx requires a separator right after a closing quote.
        if (_pos < text.Length)
        {
            var next = text[_pos];
            if (!IsSpace(next) && next != ';' && next != '{')
            {
                throw new NginxSyntaxException(file, _line, "", $"unexpected \"{next}\"");
            }
        }

        return new NginxToken(NginxTokenKind.Word, Unescape(raw), startLine);
    }

    private NginxToken ReadWord()
    {
        var startLine = _line;
        var start = _pos;
        while (_pos < text.Length)
        {
            var ch = text[_pos];
            if (ch == '\\' && _pos + 1 < text.Length)
            {
                if (text[_pos + 1] == '\n')
                {
                    _line++;
                }

                _pos += 2;
                continue;
            }

            if (ch == '{' && _pos > start && text[_pos - 1] == '$')
            {
                _pos++;
                continue;
            }

            if (IsSpace(ch) || ch == ';' || ch == '{')
            {
                break;
            }

            _pos++;
        }

        return new NginxToken(NginxTokenKind.Word, Unescape(text[start.._pos]), startLine);
    }

    /// <summary>The escapes nginx expands in every token: \" \' \\ \t \r \n; any other backslash stays.</summary>
    internal static string Unescape(string raw)
    {
        if (!raw.Contains('\\'))
        {
            return raw;
        }

        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var ch = raw[i];
            if (ch == '\\' && i + 1 < raw.Length)
            {
                switch (raw[i + 1])
                {
                    case '"':
                    case '\'':
                    case '\\':
                        sb.Append(raw[i + 1]);
                        i++;
                        continue;
                    case 't':
                        sb.Append('\t');
                        i++;
                        continue;
                    case 'r':
                        sb.Append('\r');
                        i++;
                        continue;
                    case 'n':
                        sb.Append('\n');
                        i++;
                        continue;
                }
            }

            sb.Append(ch);
        }

        return sb.ToString();
    }

    private static bool IsSpace(char ch) => ch is ' ' or '\t' or '\r' or '\n';
}
