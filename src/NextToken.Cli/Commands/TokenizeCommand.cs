using System.CommandLine;

namespace NextToken.Cli.Commands;

/// <summary><c>nexttoken tokenize "text"</c>: every token id and piece.</summary>
internal static class TokenizeCommand
{
    public static Command Create(CliContext context)
    {
        var text = new Argument<string>("text") { Description = "The text to tokenize." };
        var tokenizerOption = new Option<string>("--tokenizer")
        {
            Description = "A tokenizer file or folder (tokenizer.json, tokenizer.model, vocab.json, *.tiktoken, *.gguf, tokenizer.bin), an encoding name (cl100k_base, o200k_base, …) or an OpenAI model name (gpt-4o). Default: the model's.",
            HelpName = "PATH|NAME",
        };
        var model = CommonOptions.Model();
        var addSpecial = new Option<bool>("--add-special-tokens") { Description = "Add the tokens the tokenizer puts around a sequence (BOS for Llama)." };
        var allowSpecial = new Option<bool>("--special") { Description = "Read special-token text such as <|endoftext|> as the special token, not as plain text." };
        var json = CommonOptions.Json();
        var command = new Command("tokenize", "Show the token ids and pieces of a text.") { text, tokenizerOption, model, addSpecial, allowSpecial, json };
        CommandLineApp.SetAction(command, context, parse =>
        {
            var tokenizer = TokenizerResolver.Resolve(parse.GetValue(tokenizerOption), parse.GetValue(model));
            var input = parse.GetValue(text) ?? "";
            var tokens = tokenizer.EncodeWithOffsets(input, parse.GetValue(addSpecial), parse.GetValue(allowSpecial));
            if (parse.GetValue(json))
            {
                context.WriteJson(new
                {
                    Count = tokens.Count,
                    Tokens = tokens.Select(t => new
                    {
                        t.Id,
                        Piece = tokenizer.TokenToPiece(t.Id),
                        Text = input.Substring(t.Start, t.Length),
                        t.Start,
                        t.Length,
                    }),
                });
                return 0;
            }
            foreach (var t in tokens)
                context.Output.WriteLine($"{t.Id,8}  {tokenizer.TokenToPiece(t.Id)}");
            context.Output.WriteLine($"{tokens.Count} tokens");
            return 0;
        });
        return command;
    }
}
