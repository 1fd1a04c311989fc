using System.Text;
using Lingcheng.Talent.Cli;

// UTF-8 so that Chinese names print correctly on every terminal and through pipes.
Console.OutputEncoding = Encoding.UTF8;
return await LctCommand.RunAsync(args);
