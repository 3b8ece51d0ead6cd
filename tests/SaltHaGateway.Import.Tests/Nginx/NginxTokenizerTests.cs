using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class NginxTokenizerTests
{
    private static List<NginxToken> Tokens(string text)
    {
        var tokenizer = new NginxTokenizer(text, "t.conf");
        var result = new List<NginxToken>();
        while (true)
        {
            var token = tokenizer.Next();
            if (token.Kind == NginxTokenKind.EndOfFile)
            {
                return result;
            }

            result.Add(token);
        }
    }

    [Fact]
    public void SplitsWordsAndStructureWithLines()
    {
        var tokens = Tokens("a b;\n# comment { ;\nc {\n}\n");
        Assert.Equal(["a", "b", ";", "c", "{", "}"], tokens.Select(t => t.Text));
        Assert.Equal([1, 1, 1, 3, 3, 4], tokens.Select(t => t.Line));
    }

    [Fact]
    public void HashInsideAWordIsNotAComment()
    {
        Assert.Equal(["a#b", ";"], Tokens("a#b;").Select(t => t.Text));
    }

    [Fact]
    public void QuotesGroupAndEscapesExpand()
    {
        var tokens = Tokens("check_http_send \"GET / HTTP/1.0\\r\\n\\r\\n\"; x 'it\\'s' a\\ b;");
        Assert.Equal("GET / HTTP/1.0\r\n\r\n", tokens[1].Text);
        Assert.Equal("it's", tokens[4].Text);
        // "\ " protects the space from splitting the word, but nginx only expands \" \' \\ \t \r \n.
        Assert.Equal(@"a\ b", tokens[5].Text);
    }

    [Fact]
    public void UnknownEscapeKeepsTheBackslash()
    {
        Assert.Equal(@"\.php$", Tokens(@"~ \.php$ {").ElementAt(1).Text);
    }

    [Fact]
    public void BracedVariableStaysInTheWord()
    {
        var tokens = Tokens("set $a ${host}x;");
        Assert.Equal(["set", "$a", "${host}x", ";"], tokens.Select(t => t.Text));
    }

    [Fact]
    public void ClosingQuoteMustBeFollowedBySeparator()
    {
        var e = Assert.Throws<NginxSyntaxException>(() => Tokens("a \"b\"c;"));
        Assert.Equal("unexpected \"c\"", e.Message);
    }

    [Fact]
    public void UnterminatedQuoteReportsEndOfFile()
    {
        var e = Assert.Throws<NginxSyntaxException>(() => Tokens("a \"b;\n\n"));
        Assert.Contains("unexpected end of file", e.Message);
        Assert.Equal(3, e.Line);
    }
}
