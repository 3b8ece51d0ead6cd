using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>Accepts <c>"Weight": 2</c> as well as <c>"Weight": "2"</c> in YARP's string-only Metadata, so a
/// hand-edited file does not fail on quoting.</summary>
internal sealed class LenientStringDictionaryConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    public override IReadOnlyDictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected an object of names and values");
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            var value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => reader.GetDouble().ToString(CultureInfo.InvariantCulture),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                _ => throw new JsonException($"the value of \"{key}\" must be a string, number or boolean"),
            };
            if (!result.TryAdd(key, value)) throw new JsonException($"\"{key}\" is given twice");
        }
        return result;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (k, v) in value) writer.WriteString(k, v);
        writer.WriteEndObject();
    }
}

/// <summary>HTTP versions as YARP's own config reader takes them: "1.1", "2" or "2.0".</summary>
internal sealed class HttpVersionConverter : JsonConverter<Version>
{
    public override Version Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.Number
            ? reader.GetDouble().ToString("0.0", CultureInfo.InvariantCulture)
            : reader.GetString() ?? "";
        if (!text.Contains('.')) text += ".0";
        return Version.TryParse(text, out var v) && v.Major is 1 or 2 or 3
            ? v
            : throw new JsonException($"\"{text}\" is not an HTTP version (1.0, 1.1, 2 or 3)");
    }

    public override void Write(Utf8JsonWriter writer, Version value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString(2));
}
